/**
 * Keys as code: the config file reloaded on change and on SIGHUP (a valid file applies to new
 * requests without dropping counted spend; an invalid one is refused, naming the field, and the
 * old one keeps serving), keys read from files (mounted Secrets), and the read-only admin API on
 * the metrics listener.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchConfig, type ConfigReloader } from '../../src/index.js';
import { metricValue } from '../cache/metric-value.js';
import { spawnGateway } from '../gateway-process.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const ADMIN = 'admin-key-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'llm-edge-governance-'));
const file = join(dir, 'config.yaml');
const secretFile = join(dir, 'team-b.key');
const pricing = 'pricing:\n  gpt-4o-mini: { input: 0, output: 1000 }\n';
const config = (keys: string) => `${pricing}auth:\n  teams:\n    - { id: platform, budget: { usd: 1, period: month } }\n  keys:\n${keys}`;
const KEY_A = '    - { id: team-a, key: sk-reload-a, team: platform, models: ["gpt-4o-mini"], limits: { requestsPerMinute: 600 }, budget: { usd: 0.004, period: day } }\n';
const KEY_B = `    - { id: team-b, keyFile: ${secretFile}, team: platform }\n`;

/** Writes the file the way Kubernetes updates a mounted ConfigMap: a new file renamed into place. */
function replaceConfig(text: string): void {
  const next = join(dir, `config.${Date.now()}.yaml`);
  writeFileSync(next, text);
  renameSync(next, file);
}

let h: Harness;
let reloader: ConfigReloader;
const env = () => ({ LLM_EDGE_CONFIG: file, LLM_EDGE_ADMIN_KEY: ADMIN });
beforeAll(async () => {
  writeFileSync(secretFile, 'sk-from-a-secret\n');
  writeFileSync(file, config(KEY_A + KEY_B));
  h = await startHarness({ env: env() });
  reloader = watchConfig(h.gateway.gateway, { env: { ...process.env, ...env(), OPENAI_API_KEY: 'sk-fake-openai', OPENAI_BASE_URL: `${h.openai.url}/v1`, ANTHROPIC_API_KEY: 'sk-ant-fake', ANTHROPIC_BASE_URL: h.anthropic.url, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' }, intervalMs: 50 });
});
afterAll(async () => {
  reloader.close();
  await h.stop();
});

const ask = (key: string, maxTokens = 2) =>
  rawRequest(h.gateway.url, '/v1/chat/completions', {
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: maxTokens, messages: [{ role: 'user', content: `reload ${Math.random()} words` }] }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  });
const admin = (path: string, key: string | null = ADMIN) =>
  fetch(h.gateway.metricsUrl.replace('/metrics', path), { headers: key ? { authorization: `Bearer ${key}` } : {} });
const reloads = (result: string) => metricValue(h.gateway.gateway.metrics, 'llm_edge_config_reloads_total', { result });

describe('keys from files', () => {
  it('authenticates a key read from a file (a mounted Secret)', async () => {
    expect((await ask('sk-from-a-secret')).status).toBe(200);
  });
});

describe('the admin API', () => {
  it('lists keys and teams with limits, spend, remaining and reset; never a key or its hash', async () => {
    expect((await ask('sk-reload-a')).status).toBe(200); // $0.002 spent
    const res = await admin('/admin/keys');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('sk-reload-a');
    expect(text).not.toContain('sk-from-a-secret');
    expect(text).not.toContain('sha256');
    const { keys } = JSON.parse(text) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.id)).toEqual(['team-a', 'team-b']);
    const a = keys[0]!;
    expect(a).toMatchObject({ id: 'team-a', team: 'platform', models: ['gpt-4o-mini'], limits: { requestsPerMinute: 600 }, budget: { usd: 0.004, period: 'day' } });
    expect(a.spend_usd).toBeCloseTo(0.002, 9);
    expect(a.remaining_usd).toBeCloseTo(0.002, 9);
    expect(a.resets_at).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
    expect(keys[1]).toMatchObject({ id: 'team-b', budget: null, spend_usd: null, resets_at: null });
    const one = await (await admin('/admin/keys/team-a')).json();
    expect(one).toMatchObject({ id: 'team-a', budget: { usd: 0.004 } });
    const teams = (await (await admin('/admin/teams')).json()) as { teams: Array<Record<string, unknown>> };
    expect(teams.teams[0]).toMatchObject({ id: 'platform', budget: { usd: 1, period: 'month' } });
    expect(teams.teams[0]!.spend_usd as number).toBeGreaterThanOrEqual(0.002);
    expect(teams.teams[0]!.resets_at).toMatch(/-01T00:00:00\.000Z$/);
  });

  it('refuses a missing or wrong admin key (401), unknown ids (404), and is not on the public port', async () => {
    expect((await admin('/admin/keys', null)).status).toBe(401);
    expect((await admin('/admin/keys', 'wrong-admin-key-0000000')).status).toBe(401);
    expect((await admin('/admin/keys/nobody')).status).toBe(404);
    expect((await rawRequest(h.gateway.url, '/admin/keys', { method: 'GET', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  });

  it('does not exist without LLM_EDGE_ADMIN_KEY', async () => {
    const plain = await startHarness();
    try {
      const res = await fetch(plain.gateway.metricsUrl.replace('/metrics', '/admin/keys'), { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});

describe('reloading the config file', () => {
  it('adds, removes and raises, keeping the spend already counted', async () => {
    const applied = await reloads('applied');
    // team-a has $0.002 left of $0.004: a request reserving $0.003 does not fit.
    expect((await ask('sk-reload-a', 3)).status).toBe(429);
    const raised = KEY_A.replace('usd: 0.004', 'usd: 0.006');
    replaceConfig(config(raised + '    - { id: newcomer, key: sk-newcomer }\n'));
    await expect.poll(() => reloads('applied'), { timeout: 5_000, interval: 50 }).toBeGreaterThan(applied);
    expect((await ask('sk-newcomer')).status).toBe(200); // added
    expect((await ask('sk-from-a-secret')).status).toBe(401); // removed
    const fits = await ask('sk-reload-a', 3); // raised to $0.006, $0.002 spent: $0.003 fits
    expect(fits.status).toBe(200);
    expect(Number(fits.headers.get('x-llm-edge-budget-remaining-usd'))).toBeCloseTo(0.001, 9);
    expect(await metricValue(h.gateway.gateway.metrics, 'llm_edge_budget_usd', { scope: 'key', id: 'team-a' })).toBe(0.006);
    // A budget the new file drops keeps no gauge behind.
    replaceConfig(config('    - { id: newcomer, key: sk-newcomer }\n'));
    await expect.poll(() => reloads('applied'), { timeout: 5_000, interval: 50 }).toBeGreaterThan(applied + 1);
    const text = await (await fetch(h.gateway.metricsUrl)).text();
    expect(text).not.toMatch(/llm_edge_budget_usd\{scope="key",id="team-a"\}/);
    replaceConfig(config(raised + '    - { id: newcomer, key: sk-newcomer }\n'));
    await expect.poll(() => reloads('applied'), { timeout: 5_000, interval: 50 }).toBeGreaterThan(applied + 2);
  });

  it('refuses an invalid file with a log line naming the field, and keeps serving the old one', async () => {
    const refused = await reloads('refused');
    replaceConfig(config('    - { id: broken, key: sk-broken, budget: { usd: 5, period: weekly } }\n'));
    await expect.poll(() => reloads('refused'), { timeout: 5_000, interval: 50 }).toBeGreaterThan(refused);
    h.gateway.gateway.log.flush();
    const line = h.logs.find((l) => l.msg === 'config reload refused: the config in force keeps serving');
    expect(String(line?.error)).toContain('auth.keys.0.budget.period');
    expect((await ask('sk-newcomer')).status).toBe(200);
    expect((await ask('sk-broken')).status).toBe(401);
    expect((await rawRequest(h.gateway.url, '/health', { method: 'GET' })).status).toBe(200);
  });
});

describe('SIGHUP', () => {
  it('reloads the real process at once', async () => {
    const own = join(dir, 'sighup.yaml');
    writeFileSync(own, 'auth:\n  keys:\n    - { id: first, key: sk-first }\n');
    const gateway = await spawnGateway({ LLM_EDGE_CONFIG: own });
    const { child, url } = gateway;
    try {
      const models = (key: string) => fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
      expect(await models('sk-second')).toBe(401);
      writeFileSync(own, 'auth:\n  keys:\n    - { id: second, key: sk-second }\n');
      child.kill('SIGHUP');
      await expect.poll(() => gateway.output, { timeout: 5_000 }).toContain('"msg":"config reloaded"');
      expect(await models('sk-second')).toBe(200);
      expect(gateway.output).toContain('"reason":"signal"');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
