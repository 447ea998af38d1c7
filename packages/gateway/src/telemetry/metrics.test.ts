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

describe('counter tallies', () => {
  it('add up between collections and reach the exposition, the text and the JSON alike', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    const c = m.child('retriesTotal', 'openai');
    c.inc();
    c.inc(2.5);
    expect(await m.scrape()).toMatch(/llm_edge_retries_total\{provider="openai"\} 3\.5/);
    c.inc();
    const json = await m.registry.getMetricsAsJSON();
    const values = json.find((x) => x.name === 'llm_edge_retries_total')!.values;
    expect(values).toEqual([expect.objectContaining({ labels: { provider: 'openai' }, value: 4.5 })]);
  });

  it('make a series at zero on inc(0) and none before any inc', async () => {
    const m = new GatewayMetrics({ defaultMetrics: false });
    m.child('retriesTotal', 'openai');
    m.child('retriesTotal', 'anthropic').inc(0);
    const text = await m.scrape();
    expect(text).not.toContain('provider="openai"');
    expect(text).toMatch(/provider="anthropic"\} 0/);
  });

  it('refuse a negative or non-finite increment at the call', () => {
    const c = new GatewayMetrics({ defaultMetrics: false }).child('retriesTotal', 'openai');
    expect(() => c.inc(-1)).toThrow(/finite number >= 0/);
    expect(() => c.inc(Number.NaN)).toThrow(/finite number >= 0/);
  });
});
