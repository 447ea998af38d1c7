import { describe, expect, it } from 'vitest';
import { AttemptDeadline } from '../resilience/deadline.js';
import { Cancellation } from './cancel.js';

describe('Cancellation', () => {
  it('runs each abort listener once, with the reason set, and ignores later aborts', () => {
    const c = new Cancellation();
    const seen: unknown[] = [];
    c.addEventListener('abort', () => seen.push(c.reason));
    c.abort(new Error('first'));
    c.abort(new Error('second'));
    expect(c.aborted).toBe(true);
    expect(seen).toEqual([new Error('first')]);
  });

  it('does not call a listener removed before the abort, nor one added after it', () => {
    const c = new Cancellation();
    let calls = 0;
    const listener = () => calls++;
    c.addEventListener('abort', listener);
    c.removeEventListener('abort', listener);
    c.abort();
    c.addEventListener('abort', listener);
    expect(calls).toBe(0);
    expect(c.reason).toBeInstanceOf(Error);
  });

  it('runs every listener when one throws, then rethrows the first error', () => {
    const c = new Cancellation();
    let second = false;
    c.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    c.addEventListener('abort', () => {
      second = true;
    });
    expect(() => c.abort()).toThrow('listener failed');
    expect(second).toBe(true);
  });

  it('is a signal undici accepts: an upstream request is cut when it aborts', async () => {
    const { createServer } = await import('node:http');
    const { Pool } = await import('undici');
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    try {
      const c = new Cancellation();
      const pending = pool.request({ path: '/', method: 'GET', signal: c.signal });
      setTimeout(() => c.abort(new Error('caller left')), 20);
      await expect(pending).rejects.toThrow('caller left');
    } finally {
      await pool.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('an AbortSignal works where a Signal is taken: a caller aborting it cuts the attempt', () => {
    const caller = new AbortController();
    const deadline = new AttemptDeadline(caller.signal, 60_000, () => new Error('timed out'));
    try {
      caller.abort(new Error('caller left'));
      expect(deadline.signal.aborted).toBe(true);
      expect(deadline.signal.reason).toEqual(new Error('caller left'));
    } finally {
      deadline.dispose();
    }
  });
});
