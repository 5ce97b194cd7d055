// The agent's error family. Same shape as the rest of StackLens (a stable machine `code` plus a message meant for a
// human) but kept inside the pos-agent workspace: the kiosk agent ships on its own and must not import the Lambda code.

export type AgentErrorCode = 'VALIDATION_FAILED' | 'ABORTED' | 'CHECKPOINT_FAILED' | 'BUFFER_FAILED' | 'FILE_READ_FAILED' | 'DEPENDENCY_FAILED' | 'INTERNAL';

export class AgentError extends Error {
  override readonly name: string = 'AgentError';
  readonly code: AgentErrorCode;
  readonly details?: unknown;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export class AgentConfigError extends AgentError {
  override readonly name = 'AgentConfigError';
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, { details });
  }
}

/** Thrown by anything waiting on the network or a timer when the agent is stopping and gives up on the wait. */
export class AgentAbortedError extends AgentError {
  override readonly name = 'AgentAbortedError';
  constructor(message = 'The operation was aborted because the agent is stopping') {
    super('ABORTED', message);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.name} (${code}): ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
