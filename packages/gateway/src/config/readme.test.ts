import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { ConfigSchema } from './schema.js';

const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');

describe('the README configuration reference', () => {
  const block = /The config file, every field with its default:\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];

  it('is a valid configuration', () => {
    expect(block).toBeDefined();
    const config = loadConfig({}, block);
    expect(config.routes[0]?.match).toBe('fast');
    expect(config.providers.local?.type).toBe('openai-compatible');
  });

  it('shows the real defaults', () => {
    const defaults = ConfigSchema.parse({});
    const config = loadConfig({}, block);
    expect(config.server).toEqual(defaults.server);
    expect(config.cache).toEqual(defaults.cache);
    expect(config.resilience).toEqual(defaults.resilience);
    expect(config.telemetry).toEqual(defaults.telemetry);
  });

  it('lists every environment variable the gateway reads', () => {
    const source = readFileSync(fileURLToPath(new URL('./load.ts', import.meta.url)), 'utf8');
    for (const [, name] of source.matchAll(/env: '([A-Z_]+)'/g)) expect(readme).toContain(`\`${name}\``);
    expect(readme).toContain('`LLM_EDGE_API_KEYS`');
    expect(readme).toContain('`LLM_EDGE_CONFIG`');
  });
});
