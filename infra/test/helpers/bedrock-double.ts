import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export type BedrockBehaviour = { kind: 'throttle' } | { kind: 'hang' };

/**
 * A loopback Bedrock Runtime that answers Converse (`POST /model/{id}/converse`) the way the service does when it is
 * overloaded: 429 ThrottlingException, or no answer at all. It speaks cleartext HTTP/2, as the SDK's client expects.
 */
export async function startBedrockDouble(initial: BedrockBehaviour): Promise<{ url: string; calls: number; setBehaviour(b: BedrockBehaviour): void; close(): Promise<void> }> {
  let behaviour = initial;
  let calls = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (behaviour.kind === 'hang') return;
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
      res.end(JSON.stringify({ message: 'Too many requests, please wait before trying again.' }));
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    setBehaviour: (b) => {
      behaviour = b;
    },
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
