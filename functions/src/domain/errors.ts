// One error family for StackLens: every error carries a stable machine code and a message meant for a human.
// HTTP status mapping happens in exactly one place (the API handler), keyed on `code`.

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_EVENT'
  | 'DEPENDENCY_FAILED'
  | 'INTERNAL';

export class StackLensError extends Error {
  override readonly name: string = 'StackLensError';
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export class ValidationError extends StackLensError {
  override readonly name = 'ValidationError';
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, { details });
  }
}

export class NotFoundError extends StackLensError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class UnauthorizedError extends StackLensError {
  override readonly name = 'UnauthorizedError';
  constructor(message = 'A valid bearer token is required') {
    super('UNAUTHORIZED', message);
  }
}
