import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Cancellation } from '../http/cancel.js';
import { AttemptDeadline } from './deadline.js';

/** A full GC, without starting the test process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const timeoutError = () => new Error('timed out');

describe('AttemptDeadline', () => {
  it('passes the attempt outcome through: its value, or its error', async () => {
    const ok = new AttemptDeadline(new Cancellation(), 60_000, timeoutError);
    await expect(ok.race(Promise.resolve('answer'))).resolves.toBe('answer');
    ok.settle();
    const failed = new AttemptDeadline(new Cancellation(), 60_000, timeoutError);
    await expect(failed.race(Promise.reject(new Error('upstream failed')))).rejects.toThrow('upstream failed');
    failed.dispose();
  });

  it('rejects with the timeout error and aborts its signal when an attempt ignores the signal past totalMs', async () => {
    const deadline = new AttemptDeadline(new Cancellation(), 20, timeoutError);
    const never = new Promise<string>(() => {});
    await expect(deadline.race(never)).rejects.toThrow('timed out');
    expect(deadline.signal.aborted).toBe(true);
    // an attempt raced after the time ran out is cut at once
    await expect(deadline.race(Promise.resolve('late'))).rejects.toThrow('timed out');
    deadline.dispose();
  });

  it('does not keep the answer reachable once the attempt settled (it would be promoted to the old generation)', async () => {
    const caller = new Cancellation();
    // A deadline lives as long as its caller's signal (it follows the caller after the answer).
    const deadline = new AttemptDeadline(caller, 60_000, timeoutError);
    const seen = await (async () => {
      const answer = { body: 'x'.repeat(1000) };
      expect(await deadline.race(Promise.resolve(answer))).toBe(answer);
      deadline.settle();
      return new WeakRef(answer);
    })();
    // let the awaited promise's job finish so nothing on the stack holds it
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    expect(seen.deref()).toBeUndefined();
    expect(deadline.signal.aborted).toBe(false);
    caller.abort(new Error('caller left'));
    expect(deadline.signal.aborted).toBe(true);
  });
});
