import type http from 'node:http';

/**
 * Reads a request body up to `limit` bytes. Past the limit it keeps draining (so the client reads our 413 instead of a
 * reset) but stops keeping bytes, and resolves undefined.
 */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}
