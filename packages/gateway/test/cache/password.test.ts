/** A Redis that requires a password (`REDIS_PASSWORD`, as EdgeAgent passes it from a Secret). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PATIENT_L2, startHarness } from '../harness.js';
import { startRedis, type RedisServer } from '../redis.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis({ args: ['--requirepass', 'redis-s3cret'] });
});
afterAll(() => redis?.stop());

it('authenticates to Redis and serves L2 hits', async () => {
  const env = { REDIS_URL: redis.url, REDIS_PASSWORD: 'redis-s3cret' };
  const first = await startHarness({ env, configYaml: PATIENT_L2 });
  try {
    await first.client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'behind a password' }] });
    await first.gateway.gateway.cache.drain();
    const ready = (await fetch(`${first.gateway.url}/ready`).then((r) => r.json())) as { cache: { l2: string } };
    expect(ready.cache.l2).toBe('ok');
  } finally {
    await first.stop();
  }
  const second = await startHarness({ env, configYaml: PATIENT_L2 });
  try {
    const { response } = await second.client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'behind a password' }] }).withResponse();
    expect(response.headers.get('x-llm-edge-cache')).toBe('hit-l2');
  } finally {
    await second.stop();
  }
});
