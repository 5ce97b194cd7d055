import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readBody } from '../../../src/local/http-body.js';
import { handleSecretsManagerRequest, MAX_SECRETS_MANAGER_REQUEST_BYTES, SECRETS_MANAGER_TARGET_PREFIX } from '../../../src/local/secretsmanager/http.js';
import type { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';

export interface SecretsTestServer {
  readonly endpoint: string;
  /** Every response body, by operation, to check what went over the wire. */
  readonly responses: Array<{ operation: string; status: number; body: string }>;
  close(): Promise<void>;
}

/** A loopback stand-in for the edge server: routes `X-Amz-Target: secretsmanager.<Operation>` to the service. */
export async function createSecretsTestServer(svc: LocalSecretsManager): Promise<SecretsTestServer> {
  const responses: SecretsTestServer['responses'] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const target = req.headers['x-amz-target'];
      const body = await readBody(req, MAX_SECRETS_MANAGER_REQUEST_BYTES);
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(SECRETS_MANAGER_TARGET_PREFIX) || !body) {
        res.writeHead(404).end();
        return;
      }
      const operation = target.slice(SECRETS_MANAGER_TARGET_PREFIX.length);
      const chunks: Buffer[] = [];
      const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
      res.end = ((chunk?: unknown) => {
        if (Buffer.isBuffer(chunk)) chunks.push(chunk);
        responses.push({ operation, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
        return end(chunk);
      }) as typeof res.end;
      await handleSecretsManagerRequest(svc, operation, body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    responses,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function secretsClient(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}
