import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

describe('loadConfig', () => {
  it('gives a working default with nothing set: localhost:8080, metrics 9090, both providers', () => {
    const config = loadConfig({});
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, metricsPort: 9090, bodyLimitBytes: 10 * 1024 * 1024 });
    expect(Object.keys(config.providers)).toEqual(['openai', 'anthropic']);
    expect(config.auth.keys).toEqual([]);
    expect(config.telemetry.samplerRatio).toBe(0.1);
  });

  it('lets environment variables override the file', () => {
    const config = loadConfig(
      { PORT: '9000', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', REDIS_CLUSTER_NODES: 'a:1, b:2', OTEL_TRACES_SAMPLER_ARG: '0.5' },
      'server:\n  port: 7000\n  host: 0.0.0.0\nproviders:\n  openai:\n    apiKey: from-file\n',
    );
    expect(config.server).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(config.providers.openai).toMatchObject({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'from-file', type: 'openai' });
    expect(config.cache.l2.clusterNodes).toEqual(['a:1', 'b:2']);
    expect(config.telemetry.samplerRatio).toBe(0.5);
  });

  it('turns LLM_EDGE_API_KEYS into keys with stable ids that do not reveal the key', () => {
    const config = loadConfig({ LLM_EDGE_API_KEYS: `sk-one, sha256:${'b'.repeat(64)}` });
    expect(config.auth.keys.map((k) => k.id)).toEqual([expect.stringMatching(/^key-[0-9a-f]{12}$/), `key-${'b'.repeat(12)}`]);
    expect(config.auth.keys[0]!.id).not.toContain('sk-one');
  });

  it.each([
    [{ PORT: 'http' }, undefined, /server\.port \(from env PORT\).*got "http"/],
    [{ OPENAI_BASE_URL: 'not a url' }, undefined, /providers\.openai\.baseUrl \(from env OPENAI_BASE_URL\)/],
    [{ REDIS_CLUSTER_NODES: 'nohostport' }, undefined, /cache\.l2\.clusterNodes\.0.*host:port/],
    [{}, 'server:\n  prot: 1\n', /server.*Unrecognized key.*prot/],
    [{}, 'auth:\n  keys:\n    - id: a\n      key: sha256:xyz\n', /auth\.keys\.0\.key.*sha256:<64 hex digits>/],
    [{}, 'routes:\n  - match: x\n    targets: [{ provider: openai, weight: -1 }]\n', /routes\.0\.targets\.0\.weight/],
    [{}, '- just\n- a list\n', /expected a mapping/],
    [{}, 'server: [unclosed\n', /not valid YAML/],
  ])('rejects %j %j naming the field', (env, file, message) => {
    expect(() => loadConfig(env, file)).toThrow(ConfigError);
    expect(() => loadConfig(env, file)).toThrow(message);
  });

  it('never echoes a secret value in an error', () => {
    expect(() => loadConfig({}, 'providers:\n  openai:\n    apiKey: 12345\n')).toThrow(/apiKey.*\(hidden\)/);
  });
});
