import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionStore, LiveMessage, Notifier } from '../../ports.js';

export interface SequenceSource {
  nextSequence(name: string): Promise<number>;
}

/** API Gateway refuses WebSocket messages over 128 KB; an incident that large is a bug, not something to send. */
const MAX_MESSAGE_BYTES = 128 * 1024;

export class WebSocketNotifier implements Notifier {
  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    private readonly connections: ConnectionStore,
    private readonly sequence: SequenceSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(type: string, data: unknown): Promise<{ seq: number; delivered: number; gone: number }> {
    const seq = await this.sequence.nextSequence('live');
    const message: LiveMessage = { type, seq, at: this.now().toISOString(), data };
    const body = Buffer.from(JSON.stringify(message));
    if (body.byteLength > MAX_MESSAGE_BYTES) throw new Error(`Live message ${type} is ${body.byteLength} bytes, over API Gateway's 128 KB limit`);

    const ids = await this.connections.all();
    let delivered = 0;
    let gone = 0;
    await Promise.all(
      ids.map(async (connectionId) => {
        try {
          await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: body }));
          delivered++;
        } catch (error) {
          if (error instanceof GoneException || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410) {
            gone++;
            await this.connections.remove(connectionId);
            return;
          }
          // One broken socket must not keep the message from the others; the client catches up by seq.
        }
      }),
    );
    return { seq, delivered, gone };
  }
}

export function createManagementClient(endpoint: string, region: string, local: boolean): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
