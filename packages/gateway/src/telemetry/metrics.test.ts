import { allMetrics } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.js';

describe('GatewayMetrics', () => {
  it('registers every contract metric under its name and type', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    const text = await m.scrape();
    for (const def of allMetrics) expect(text).toContain(`# TYPE ${def.name} ${def.type}`);
  });

  it('reuses label children', () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    expect(m.child('retriesTotal', 'openai')).toBe(m.child('retriesTotal', 'openai'));
    expect(m.child('retriesTotal', 'openai')).not.toBe(m.child('retriesTotal', 'anthropic'));
  });

  it('bounds model label values: past 200 distinct names, new ones count as other', () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    for (let i = 0; i < 200; i++) expect(m.modelLabel(`model-${i}`)).toBe(`model-${i}`);
    expect(m.modelLabel('one-too-many')).toBe('other');
    expect(m.modelLabel('model-7')).toBe('model-7');
  });
});
