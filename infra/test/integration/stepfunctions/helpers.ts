import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { readBody } from '../../../src/local/http-body.js';
import { handleStepFunctionsRequest, MAX_STEP_FUNCTIONS_REQUEST_BYTES, STEP_FUNCTIONS_TARGET_PREFIX } from '../../../src/local/stepfunctions/http.js';
import type { LocalStepFunctions } from '../../../src/local/stepfunctions/service.js';

export interface SfnTestServer {
  readonly endpoint: string;
  /** X-Amz-Target and content type of every request, to check what the SDK sent. */
  readonly requests: Array<{ target: string | undefined; contentType: string | undefined }>;
  close(): Promise<void>;
}

/** A loopback stand-in for the edge server: routes `X-Amz-Target: AWSStepFunctions.<Operation>` to the service. */
export async function createSfnTestServer(svc: LocalStepFunctions): Promise<SfnTestServer> {
  const requests: SfnTestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const target = req.headers['x-amz-target'];
      requests.push({ target: typeof target === 'string' ? target : undefined, contentType: req.headers['content-type'] });
      const body = await readBody(req, MAX_STEP_FUNCTIONS_REQUEST_BYTES);
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(STEP_FUNCTIONS_TARGET_PREFIX) || !body) {
        res.writeHead(404).end();
        return;
      }
      await handleStepFunctionsRequest(svc, target.slice(STEP_FUNCTIONS_TARGET_PREFIX.length), body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sfnClient(endpoint: string): SFNClient {
  return new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}
