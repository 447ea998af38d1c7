import { setTimeout as sleep } from 'node:timers/promises';
import { Metrics } from '@llm-edge/semconv';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { watchEventLoop } from './event-loop.js';

function histogram(): Histogram<string> {
  const def = Metrics.eventLoopDelaySeconds;
  return new Histogram({ name: def.name, help: def.help, buckets: [...def.buckets!], registers: [new Registry()] });
}

async function counts(h: Histogram<string>): Promise<{ count: number; sum: number; under: (le: number) => number }> {
  const { values } = await h.get();
  const name = Metrics.eventLoopDelaySeconds.name;
  const at = (series: string, le?: number) => values.find((v) => v.metricName === series && (le === undefined || v.labels.le === le))?.value ?? 0;
  return { count: at(`${name}_count`), sum: at(`${name}_sum`), under: (le) => at(`${name}_bucket`, le) };
}

describe('watchEventLoop', () => {
  it('records a loop blocked for 80 ms as one late sample, and idle samples as about on time', async () => {
    const h = histogram();
    const stop = watchEventLoop(h);
    try {
      await sleep(100);
      const idle = await counts(h);
      expect(idle.count).toBeGreaterThan(3);
      expect(idle.under(0.005)).toBeGreaterThanOrEqual(idle.count / 2);
      const until = performance.now() + 80;
      while (performance.now() < until) {
        // the loop is blocked: no timer can run
      }
      await sleep(50);
      const after = await counts(h);
      expect(after.count - after.under(0.025)).toBeGreaterThanOrEqual(1);
      expect(after.sum - idle.sum).toBeGreaterThan(0.05);
    } finally {
      stop();
    }
  });

  it('stops sampling when stopped', async () => {
    const h = histogram();
    watchEventLoop(h)();
    await sleep(60);
    expect((await counts(h)).count).toBe(0);
  });
});
