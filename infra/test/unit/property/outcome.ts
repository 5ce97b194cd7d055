import { expect } from '@jest/globals';
import { AwsServiceError } from '../../../src/local/aws-error.js';

/** Runs the call; returns the AwsServiceError it throws (typed, with a message), failing the property on any other error. */
export async function outcome(call: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: AwsServiceError }> {
  try {
    return { ok: true, value: await call };
  } catch (err) {
    if (!(err instanceof AwsServiceError)) throw new Error(`expected an AwsServiceError, got ${String(err)}`, { cause: err });
    expect(err.type).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(err.message.length).toBeGreaterThan(0);
    return { ok: false, error: err };
  }
}
