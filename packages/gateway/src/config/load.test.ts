import { describe, expect, it } from 'vitest';
import { hasAdapter } from '../providers/registry.js';
import { OPENAI_COMPATIBLE_PRESETS } from '../providers/openai-compatible/presets.js';
import { ConfigError, loadConfig } from './load.js';

describe('loadConfig', () => {
  it('gives a working default with nothing set: localhost:8080, metrics 9090, openai, anthropic and the mock', () => {
    const config = loadConfig({});
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, metricsPort: 9090, bodyLimitBytes: 10 * 1024 * 1024 });
    expect(Object.keys(config.providers)).toEqual(['openai', 'anthropic', 'mock']);
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

  it('keeps the mock on unless the file turns it off', () => {
    expect(loadConfig({}).providers.mock).toMatchObject({ type: 'mock', enabled: true });
    expect(loadConfig({}, 'providers:\n  mock: { enabled: false }\n').providers.mock).toMatchObject({ type: 'mock', enabled: false });
  });
});

describe('openai-compatible presets', () => {
  it.each(Object.entries(OPENAI_COMPATIBLE_PRESETS))('%s: a name is the whole config', (name, preset) => {
    const keyEnv = 'keyEnv' in preset ? preset.keyEnv : undefined;
    const config = loadConfig(keyEnv ? { [keyEnv]: 'k-from-env' } : {}, `providers:\n  p: { type: openai-compatible, preset: ${name} }\n`);
    expect(config.providers.p?.baseUrl).toBe(preset.baseUrl);
    expect(config.providers.p?.apiKey).toBe(keyEnv ? 'k-from-env' : undefined);
  });

  it('prefers the file key and base URL over the preset', () => {
    const config = loadConfig({ GROQ_API_KEY: 'env-key' }, 'providers:\n  g: { type: openai-compatible, preset: groq, apiKey: file-key, baseUrl: "http://127.0.0.1:9/v1" }\n');
    expect(config.providers.g).toMatchObject({ apiKey: 'file-key', baseUrl: 'http://127.0.0.1:9/v1' });
  });

  it('names the missing key and its variable, and needs none for local servers', () => {
    expect(() => loadConfig({}, 'providers:\n  groq: { type: openai-compatible, preset: groq }\n')).toThrow(/providers\.groq\.apiKey.*GROQ_API_KEY/);
    expect(loadConfig({}, 'providers:\n  local: { type: openai-compatible, preset: ollama }\n').providers.local?.apiKey).toBeUndefined();
  });

  it('refuses a preset on another type, and an unknown preset', () => {
    expect(() => loadConfig({}, 'providers:\n  x: { type: openai, preset: groq, apiKey: k }\n')).toThrow(/providers\.x\.preset/);
    expect(() => loadConfig({}, 'providers:\n  x: { type: openai-compatible, preset: nope }\n')).toThrow(/providers\.x\.preset/);
    expect(() => loadConfig({}, 'providers:\n  x: { type: openai-compatible }\n')).toThrow(/providers\.x\.baseUrl.*preset/);
  });
});

describe('cloud providers from the environment', () => {
  const AZURE = { AZURE_OPENAI_API_KEY: 'azure-secret-key', AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com' };

  it('creates azure from its key and endpoint, with the GA api-version by default', () => {
    const azure = loadConfig(AZURE).providers.azure;
    expect(azure).toMatchObject({ type: 'azure', apiKey: 'azure-secret-key', baseUrl: 'https://res.openai.azure.com', apiVersion: '2024-10-21', apiMode: 'deployments' });
    expect(loadConfig({ ...AZURE, AZURE_OPENAI_API_VERSION: '2025-01-01-preview' }).providers.azure?.apiVersion).toBe('2025-01-01-preview');
    expect(loadConfig({ AZURE_OPENAI_AD_TOKEN_FILE: '/run/token', AZURE_OPENAI_ENDPOINT: AZURE.AZURE_OPENAI_ENDPOINT }).providers.azure?.adTokenFile).toBe('/run/token');
  });

  it('creates none without credentials, even with their other variables set', () => {
    const config = loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com', VERTEX_LOCATION: 'europe-west4', AWS_REGION: 'eu-west-1', GEMINI_BASE_URL: 'http://127.0.0.1:1' });
    expect(Object.keys(config.providers)).toEqual(['openai', 'anthropic', 'mock']);
  });

  it('lets the file add to an env-created provider (the deployment map)', () => {
    const config = loadConfig(AZURE, 'providers:\n  azure: { type: azure, deployments: { gpt-4o-mini: mini-prod } }\n');
    expect(config.providers.azure).toMatchObject({ apiKey: 'azure-secret-key', deployments: { 'gpt-4o-mini': 'mini-prod' } });
  });

  it('creates gemini, vertex and bedrock only once this build has their adapters', () => {
    const config = loadConfig({
      GEMINI_API_KEY: 'g-key',
      GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json',
      VERTEX_PROJECT: 'proj',
      VERTEX_LOCATION: 'europe-west4',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      AWS_REGION: 'eu-west-1',
    });
    for (const type of ['gemini', 'vertex', 'bedrock'] as const) expect(type in config.providers).toBe(hasAdapter(type));
    if (hasAdapter('gemini')) expect(config.providers.gemini).toMatchObject({ apiKey: 'g-key', baseUrl: 'https://generativelanguage.googleapis.com' });
    if (hasAdapter('vertex')) expect(config.providers.vertex).toMatchObject({ credentialsFile: '/keys/sa.json', project: 'proj', baseUrl: 'https://europe-west4-aiplatform.googleapis.com' });
    if (hasAdapter('bedrock')) expect(config.providers.bedrock).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', region: 'eu-west-1', baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com' });
  });

  it('names the bad field and never shows a secret from the environment', () => {
    let message = '';
    try {
      loadConfig({ AZURE_OPENAI_API_KEY: 'azure-secret-key', AZURE_OPENAI_ENDPOINT: 'not a url' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/providers\.azure\.baseUrl \(from env AZURE_OPENAI_ENDPOINT\)/);
    expect(message).not.toContain('azure-secret-key');
    expect(() => loadConfig({ AZURE_OPENAI_API_KEY: 'azure-secret-key' })).toThrow(/providers\.azure\.baseUrl.*required for type azure/);
    expect(() => loadConfig({}, 'providers:\n  azure: { type: azure, baseUrl: "https://res.openai.azure.com" }\n')).toThrow(/providers\.azure\.apiKey.*adToken/);
  });

  it('starts with ambient cloud credentials that name no region or location', () => {
    // A developer's shell often carries AWS or Google credentials for other work.
    const config = loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' });
    expect(config.providers.bedrock).toMatchObject({ region: 'us-east-1', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com' });
    expect(config.providers.vertex).toMatchObject({ location: 'us-central1', baseUrl: 'https://us-central1-aiplatform.googleapis.com' });
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_DEFAULT_REGION: 'eu-north-1' }).providers.bedrock?.region).toBe('eu-north-1');
  });
});
