/**
 * The whole monitoring path, end to end, on loopback: the real gateway (fake OpenAI and Anthropic
 * providers, a real redis-server for L2 and limits, prom-client's process metrics) scraped by a
 * real `prometheus` whose config comes from `renderPrometheusConfig` (the function that renders
 * dist/compose/prometheus/prometheus.yml) and whose rules are `renderAlertsYaml` with faster
 * timings. After real traffic every dashboard query answers with data through Prometheus's HTTP
 * API, and induced faults move the matching alerts in Prometheus itself.
 *
 * The steps share one gateway and one Prometheus and run in order; each waits on Prometheus's API
 * with a deadline, never on a fixed sleep.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_NAMES, renderAlertsYaml, type AlertConfigInput, type AlertName } from '@llm-edge/alerts';
import { renderPrometheusConfig } from '@llm-edge/charts';
import { dashboardQueries, renderDashboards, toPrometheusQuery, type PanelQuery } from '@llm-edge/dashboards';
import { GATEWAY_JOB, Metrics } from '@llm-edge/semconv';
import { watchConfig, type ConfigReloader } from '../../../packages/gateway/src/index.js';
import { ANTHROPIC_KEY, OPENAI_KEY, startHarness, type Harness } from '../../../packages/gateway/test/harness.js';
import { startRedis, type RedisServer } from '../../../packages/gateway/test/redis.js';
import { repoRoot } from '../dist.js';
import { ALLOWED_EMPTY, problemWith } from './dashboard-checks.js';
import { BUDGETED_KEY, chat, duringTraffic, gatewayConfigYaml, mixedRound, OPENAI_MODEL, providerHealth, touchEveryTarget } from './gateway-traffic.js';
import { eventually, PrometheusApi, vectorOf, type QueryResult } from './prometheus-api.js';
import { startPrometheus, type PrometheusServer } from './prometheus-server.js';

/**
 * The seed's rules with test timings: every `for` is 0s (an alert fires at its first true
 * evaluation), rates look at 10s (ten scrapes) so the cache-hit ratio follows the traffic within
 * seconds, and the cache alert's traffic floor is tiny. The rendered production file keeps the
 * seed's values (dist/compose/prometheus/alerts.yml, checked below to carry the same alerts).
 */
const TEST_ALERTS: AlertConfigInput = { forOverride: '0s', rateWindow: '10s', cacheMinRequestRate: 0.001 };
/** Grafana's variables for the dashboard queries: rates over 30 scrapes, a 5-minute dashboard range. */
const QUERY_OPTIONS = { rateInterval: '30s', range: '5m' } as const;
const STEP_TIMEOUT_MS = 90_000;
const DEADLINE_MS = 60_000;

let redis: RedisServer | undefined;
let h: Harness | undefined;
let gatewayStopped = false;
let prom: PrometheusServer | undefined;
let api: PrometheusApi;
/** Holds the budgeted key's file (its sha256 digest, as a Secret mounted by EdgeAgent would) and the reloaded config file. */
let dir: string | undefined;
let reloader: ConfigReloader | undefined;

function gateway(): Harness {
  if (!h) throw new Error('the gateway did not start (see beforeAll)');
  return h;
}

/** The active (pending or firing) alerts of one rule, as /api/v1/alerts reports them now. */
async function activeAlerts(name: AlertName): Promise<Array<{ state: string; labels: Record<string, string> }>> {
  return (await api.alerts()).filter((a) => a.labels.alertname === name);
}

/** The rule's own state from /api/v1/rules (inactive, pending or firing) and its health. */
async function ruleState(name: AlertName): Promise<{ state: string; health: string; lastError: string }> {
  for (const g of await api.ruleGroups()) {
    for (const r of g.rules) {
      if (r.type === 'alerting' && r.name === name) return { state: r.state ?? 'unknown', health: r.health, lastError: r.lastError ?? '' };
    }
  }
  throw new Error(`rule ${name} is not loaded`);
}

/** Waits until `name` is pending or firing with alerts whose labels satisfy `want`. */
async function untilActive(
  name: AlertName,
  { want = (l) => l.length > 0, signal }: { want?: (labels: Array<Record<string, string>>) => boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await eventually(`${name} pending or firing`, async () => {
    const active = await activeAlerts(name);
    return { ok: want(active.map((a) => a.labels)), detail: JSON.stringify(active) };
  }, { timeoutMs: DEADLINE_MS, signal });
}

/** Waits until the rule `name` is evaluated healthy and inactive (and `also` holds). */
async function untilInactive(name: AlertName, { also, signal }: { also?: () => Promise<{ ok: boolean; detail?: string }>; signal?: AbortSignal } = {}): Promise<void> {
  await eventually(`${name} inactive`, async () => {
    const rule = await ruleState(name);
    const more = also ? await also() : { ok: true };
    return { ok: rule.state === 'inactive' && rule.health === 'ok' && more.ok, detail: `${JSON.stringify(rule)} ${more.detail ?? ''}` };
  }, { timeoutMs: DEADLINE_MS, signal });
}

beforeAll(async () => {
  // DEBUG SLEEP (from loopback) makes Redis slow on purpose, for the cache error panels.
  redis = await startRedis({ args: ['--enable-debug-command', 'local'] });
  dir = mkdtempSync(join(tmpdir(), 'llm-edge-monitoring-'));
  const budgetedKeyFile = join(dir, 'budgeted');
  writeFileSync(budgetedKeyFile, `sha256:${createHash('sha256').update(BUDGETED_KEY).digest('hex')}\n`);
  h = await startHarness({ env: { REDIS_URL: redis.url }, configYaml: gatewayConfigYaml({ budgetedKeyFile }), defaultMetrics: true });
  prom = await startPrometheus({
    files: {
      'prometheus.yml': renderPrometheusConfig({
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        ruleFiles: ['alerts.yml'],
        // No redis job: redis_up comes from a redis exporter, which this machine does not have.
        staticTargets: { gateway: [`127.0.0.1:${h.gateway.metricsPort}`] },
      }),
      'alerts.yml': renderAlertsYaml(TEST_ALERTS),
    },
  });
  api = new PrometheusApi(prom.url);
}, 60_000);

afterAll(async () => {
  reloader?.close();
  await prom?.stop();
  if (h && !gatewayStopped) await h.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('monitoring end to end: a real Prometheus scraping the real gateway', () => {
  it('scrapes the gateway as job llm-edge-agent, and the target is up', async () => {
    const metricsUrl = gateway().gateway.metricsUrl;
    await eventually('gateway target up', async () => {
      const targets = (await api.targets()).filter((t) => t.labels.job === GATEWAY_JOB);
      return { ok: targets.length === 1 && targets[0]!.health === 'up', detail: JSON.stringify(targets) };
    }, { timeoutMs: DEADLINE_MS });
    const [target] = (await api.targets()).filter((t) => t.labels.job === GATEWAY_JOB);
    expect(target!.scrapeUrl).toBe(new URL('/metrics', metricsUrl).href);
  }, STEP_TIMEOUT_MS);

  it('loads every alert of the rendered alerts.yml and evaluates each without error', async () => {
    await eventually('every rule evaluated with health ok', async () => {
      const rules = (await api.ruleGroups()).flatMap((g) => g.rules.filter((r) => r.type === 'alerting'));
      const bad = rules.filter((r) => r.health !== 'ok' || (r.lastError ?? '') !== '');
      return { ok: rules.length === ALERT_NAMES.length && bad.length === 0, detail: `${rules.length} rules; not ok: ${JSON.stringify(bad)}` };
    }, { timeoutMs: DEADLINE_MS });
    const loaded = (await api.ruleGroups()).flatMap((g) => g.rules.map((r) => r.name));
    expect([...loaded].sort()).toEqual([...ALERT_NAMES].sort());
    // The same alerts, with the same labels, as the committed production file (whose timings are the seed's).
    const production = parse(readFileSync(join(repoRoot, 'dist/compose/prometheus/alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; labels: Record<string, string> }> }>;
    };
    const labelsOf = (groups: typeof production.groups) => Object.fromEntries(groups.flatMap((g) => g.rules.map((r) => [r.alert, r.labels])));
    expect(labelsOf((parse(renderAlertsYaml(TEST_ALERTS)) as typeof production).groups)).toEqual(labelsOf(production.groups));
  }, STEP_TIMEOUT_MS);

  it('counts config reloads applied and refused, and ConfigReloadFailed fires on the refused one', async () => {
    const h = gateway();
    await untilInactive('ConfigReloadFailed');
    // The gateway's own reloader on a file, with the environment the harness started it with.
    const configFile = join(dir!, 'config.yaml');
    const config = gatewayConfigYaml({ budgetedKeyFile: join(dir!, 'budgeted') });
    writeFileSync(configFile, config);
    reloader = watchConfig(h.gateway.gateway, {
      env: {
        LLM_EDGE_CONFIG: configFile,
        REDIS_URL: redis!.url,
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: `${h.openai.url}/v1`,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: h.anthropic.url,
      },
      intervalMs: 60_000,
    });
    expect(reloader.reload('signal')).toBe(true);
    writeFileSync(configFile, config.replace('"period":"day"', '"period":"week"'));
    expect(reloader.reload('signal')).toBe(false);
    writeFileSync(configFile, config);
    await untilActive('ConfigReloadFailed', { want: (labels) => labels.some((l) => l.instance === `127.0.0.1:${h.gateway.metricsPort}`) });
    // The budgeted key still works: the refused file changed nothing.
    const a = await chat(h, { model: OPENAI_MODEL, content: 'after a refused reload', key: BUDGETED_KEY });
    expect(a.status, a.text).toBe(200);
  }, STEP_TIMEOUT_MS);

  it('answers every query of the five dashboards with data after real traffic', async () => {
    const rendered = renderDashboards();
    expect(rendered).toHaveLength(5);
    const queries = dashboardQueries();
    expect(new Set(queries.map((q) => q.dashboardUid))).toEqual(new Set(rendered.map((d) => d.uid)));
    // Every allowance still names a query, so the list cannot outlive the panels it excuses.
    for (const a of ALLOWED_EMPTY) expect(queries.some(a.matches), a.reason).toBe(true);

    const h = gateway();
    const redisPort = redis!.port;
    const missing = new Map<PanelQuery, string>(queries.map((q) => [q, 'not queried yet']));
    const answers = new Map<PanelQuery, QueryResult>();
    await duringTraffic((i) => mixedRound(h, i, redisPort), 200, (signal, traffic) =>
      eventually('data for every dashboard query', async () => {
        // Four rounds at least: the fourth is the first to ask for an answer evicted to L2.
        if (traffic.rounds() < 4) return { ok: false, detail: `${traffic.rounds()} traffic rounds so far` };
        for (const q of [...missing.keys()]) {
          const r = await api.query(toPrometheusQuery(q.expr, QUERY_OPTIONS));
          answers.set(q, r);
          const problem = problemWith(q, r);
          if (problem === undefined) missing.delete(q);
          else missing.set(q, problem);
        }
        return { ok: missing.size === 0, detail: [...missing].map(([q, p]) => `\n  ${q.dashboardUid} / ${q.panelTitle}: ${p} (${q.expr})`).join('') };
      }, { timeoutMs: DEADLINE_MS, intervalMs: 1_000, signal }),
    );

    // Every query was answered by Prometheus without an error or a warning.
    for (const [q, r] of answers) {
      expect(r.status, `${q.panelTitle}: ${q.expr}`).toBe('success');
      expect(r.warnings ?? [], q.panelTitle).toEqual([]);
    }
  }, STEP_TIMEOUT_MS);

  it('LowCacheHitRate goes quiet under identical requests and fires under unique ones', async () => {
    const h = gateway();
    // Identical requests: all but the first are L1 hits.
    const identical = async () => {
      const a = await chat(h, { model: OPENAI_MODEL, content: 'the one question everybody asks' });
      if (a.status !== 200) throw new Error(`identical request: status ${a.status}: ${a.text}`);
    };
    const hitsFlowing = `sum(rate(${Metrics.requestsTotal.name}{job="${GATEWAY_JOB}",cache="hit-l1"}[10s])) > 0`;
    await duringTraffic(identical, 40, (signal) =>
      untilInactive('LowCacheHitRate', {
        signal,
        also: async () => {
          const r = await api.query(hitsFlowing);
          return { ok: vectorOf(r).length === 1, detail: `hits flowing: ${JSON.stringify(r.data?.result)}` };
        },
      }),
    );

    // Unique requests: every one is a miss.
    const unique = async (i: number) => {
      const a = await chat(h, { model: OPENAI_MODEL, content: `a question nobody asked before ${i}` });
      if (a.status !== 200 || a.cache !== 'miss') throw new Error(`unique request: status ${a.status}, cache ${a.cache}: ${a.text}`);
    };
    await duringTraffic(unique, 40, (signal) => untilActive('LowCacheHitRate', { signal }));
  }, STEP_TIMEOUT_MS);

  it('AllProvidersDown and CircuitBreakerOpen fire when every provider fails', async () => {
    const h = gateway();
    await untilInactive('AllProvidersDown');
    await untilInactive('CircuitBreakerOpen');

    h.openai.setDefault({ kind: 'status', status: 503 });
    h.anthropic.setDefault({ kind: 'status', status: 503 });
    // Three consecutive failures open a target's breaker; each round fails at least one attempt per target.
    const answered: number[] = [];
    await eventually('every provider unhealthy in the gateway', async () => {
      answered.push(...(await touchEveryTarget(h, `${answered.length}`)).map((a) => a.status));
      const health = await providerHealth(h);
      return { ok: health.openai === 0 && health.anthropic === 0, detail: JSON.stringify(health) };
    }, { timeoutMs: 20_000, intervalMs: 50 });
    // With every provider failing, no request got an answer: upstream errors, then fast 503s.
    expect(answered.filter((s) => s < 500)).toEqual([]);

    await untilActive('AllProvidersDown');
    await untilActive('CircuitBreakerOpen', { want: (labels) => ['openai', 'anthropic'].every((p) => labels.some((l) => l.provider === p)) });
    h.openai.setDefault(null);
    h.anthropic.setDefault(null);
  }, STEP_TIMEOUT_MS);

  it('LLMEdgeAgentDown fires when the gateway stops', async () => {
    const h = gateway();
    await untilInactive('LLMEdgeAgentDown');
    const instance = `127.0.0.1:${h.gateway.metricsPort}`;
    gatewayStopped = true;
    await h.stop();
    await untilActive('LLMEdgeAgentDown', { want: (labels) => labels.some((l) => l.instance === instance && l.job === GATEWAY_JOB) });
    const [target] = (await api.targets()).filter((t) => t.labels.job === GATEWAY_JOB);
    expect(target?.health).toBe('down');
  }, STEP_TIMEOUT_MS);
});
