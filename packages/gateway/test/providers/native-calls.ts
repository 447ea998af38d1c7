/** Reading a provider adapter's answers in its unit tests: every stream batch, and the failure a call ends with. */
import { expect } from 'vitest';
import type { StreamAnswer, StreamEvent } from '../../src/providers/types.js';
import { UpstreamError } from '../../src/providers/upstream-error.js';

/** Every batch of a stream, to its end. */
export async function drain(answer: StreamAnswer): Promise<StreamEvent[][]> {
  const batches: StreamEvent[][] = [];
  for (;;) {
    const next = await answer.events.next();
    if (next.done) return batches;
    batches.push(next.value);
  }
}

/** The UpstreamError a call fails with (the test fails if it succeeds or fails otherwise). */
export async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}
