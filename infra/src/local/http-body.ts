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

/** The request target as a URL, or undefined when it is none (`//` reads as an authority with an empty host). */
export function requestUrl(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/** decodeURIComponent, or undefined for malformed percent-encoding (`%E0`, `%ZZ`), which a client controls. */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
