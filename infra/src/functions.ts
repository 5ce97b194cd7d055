import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every Lambda function, declared once: the CDK stack bundles each entry/export pair, and the local runtime invokes
// the same handler modules under the same names, so a function cannot exist in one place and be missing in the other.

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type FunctionId = 'api' | 'ingest' | 'workflow' | 'wsConnection' | 'wsAuthorizer';

export interface FunctionSpec {
  readonly id: FunctionId;
  /** The function name locally (invokeLocal, log lines) and the `stacklens:function` tag in AWS. */
  readonly name: string;
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  /** The named export Lambda calls (`index.<exportName>` once bundled). */
  readonly exportName: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export const FUNCTIONS: Readonly<Record<FunctionId, FunctionSpec>> = {
  api: {
    id: 'api',
    name: 'stacklens-api',
    entry: 'functions/src/handlers/api.ts',
    exportName: 'handler',
    description: 'StackLens HTTP API: incidents, automation settings, admin',
    // HTTP APIs give up on an integration after 30 s.
    timeoutSeconds: 29,
    memoryMb: 512,
  },
  ingest: {
    id: 'ingest',
    name: 'stacklens-ingest',
    entry: 'functions/src/handlers/ingest.ts',
    exportName: 'handler',
    description: 'StackLens ingest: error records from the POS log group subscription',
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  workflow: {
    id: 'workflow',
    name: 'stacklens-workflow',
    entry: 'functions/src/handlers/workflow.ts',
    exportName: 'handler',
    description: 'StackLens incident workflow steps: analysis, Jira tickets, notifications',
    // Jira and Bedrock calls carry their own deadlines; this is the outer bound the local runtime uses too.
    timeoutSeconds: 90,
    memoryMb: 512,
  },
  wsConnection: {
    id: 'wsConnection',
    name: 'stacklens-ws-connection',
    entry: 'functions/src/handlers/websocket.ts',
    exportName: 'connectionEntry',
    description: 'StackLens live feed: WebSocket $connect/$disconnect bookkeeping',
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  wsAuthorizer: {
    id: 'wsAuthorizer',
    name: 'stacklens-ws-authorizer',
    entry: 'functions/src/handlers/websocket.ts',
    exportName: 'authorizerEntry',
    description: 'StackLens live feed: $connect authorizer for the ?token= query parameter',
    timeoutSeconds: 10,
    memoryMb: 256,
  },
};

export const FUNCTION_LIST: readonly FunctionSpec[] = Object.values(FUNCTIONS);

export function entryPath(spec: FunctionSpec): string {
  return path.join(REPO_ROOT, spec.entry);
}
