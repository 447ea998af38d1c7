/**
 * Alerts delivered end to end, on loopback, with real parts: the real gateway (fake OpenAI and
 * Anthropic providers) on a real three-node Redis Cluster, Debian's redis exporter in front of the
 * nodes, a real Prometheus loading `renderAlertsYaml` and scraping both (the config of
 * `renderPrometheusConfig`, as the compose stack renders it), and Debian's Alertmanager loading
 * `renderAlertmanagerYaml` with its receivers pointed at a fake Slack webhook and a fake PagerDuty
 * Events v2 server. Four faults are induced and undone; each alert must reach exactly its
 * receivers with its labels and runbook, and a resolved notification must follow.
 *
 * Test timings only (the production files keep the seed's): 1s scrapes and evaluations, `for: 3s`
 * on the four alerts under test (the others keep the seed's minutes and cannot fire here), a 15s
 * HighDailyCost window so the spend ages out, and 1s Alertmanager group timings, all through the
 * same render functions as production. Every wait polls with a deadline; nothing sleeps to make an
 * assertion true.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRules, renderAlertmanagerYaml, renderAlertsYaml, type AlertConfigInput, type AlertName } from '@llm-edge/alerts';
import { renderPrometheusConfig } from '@llm-edge/charts';
import { dashboardQueries, toPrometheusQuery } from '@llm-edge/dashboards';
import { GATEWAY_JOB, REDIS_JOB } from '@llm-edge/semconv';
import { startHarness, type Harness } from '../../../packages/gateway/test/harness.js';
import { startRedisCluster, type RedisClusterHandle } from '../../../packages/gateway/test/redis.js';
import { startAlertmanager } from './alertmanager-server.js';
import { REDIS_EXPORTER_SERIES } from './dashboard-checks.js';
import { startFakePagerDuty, startFakeSlack, type FakeReceiver, type PagerDutyEvent, type SlackMessage } from './fake-receivers.js';
import { chat, providerHealth } from './gateway-traffic.js';
import type { LoopbackServer } from './loopback-server.js';
import { eventually, PrometheusApi, vectorOf } from './prometheus-api.js';
import { startPrometheus } from './prometheus-server.js';
import { startRedisExporter } from './redis-exporter.js';

const UNDER_TEST = ['LLMEdgeAgentDown', 'CircuitBreakerOpen', 'RedisDown', 'HighDailyCost'] as const satisfies readonly AlertName[];
const TEST_ALERTS: AlertConfigInput = {
  for: Object.fromEntries(UNDER_TEST.map((name) => [name, '3s'])),
  dailyCostWindow: '15s',
};
const RULES = alertRules(TEST_ALERTS);
const ROUTING_KEY = 'e2e0routing0key0000000000000000ab';
/** The model whose spend the test inflates; other traffic uses a cheap one. */
const COSTLY_MODEL = 'gpt-4.1';
const CHEAP_MODEL = 'gpt-4o-mini';
const DEADLINE_MS = 45_000;
const STEP_TIMEOUT_MS = 90_000;

/** Where each alert must arrive: SEED.md's routing. */
const EXPECTED: Record<(typeof UNDER_TEST)[number], string[]> = {
  LLMEdgeAgentDown: ['pagerduty', 'slack #incidents'],
  CircuitBreakerOpen: ['slack #llm-edge-agent'],
  RedisDown: ['slack #llm-edge-agent'],
  HighDailyCost: ['slack #finops'],
};

/**
 * Gateway config: a price table that makes COSTLY_MODEL cost dollars per token, breakers that open
 * after 3 failures and probe again after 2s (so a recovered provider closes its breaker within the
 * test), no retries, and a patient Redis command timeout (a loaded machine must not turn L2 writes
 * into errors).
 */
function gatewayConfigYaml(): string {
  return JSON.stringify({
    telemetry: { logLevel: 'warn' },
    pricing: { [COSTLY_MODEL]: { input: 20_000_000, output: 20_000_000 } },
    cache: { l2: { commandTimeoutMs: 2_000 } },
    resilience: {
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 3, coolDownMs: 2_000 },
    },
  });
}

let cluster: RedisClusterHandle | undefined;
let exporter: LoopbackServer | undefined;
let slack: FakeReceiver<SlackMessage> | undefined;
let pagerduty: FakeReceiver<PagerDutyEvent> | undefined;
let h: Harness | undefined;
let metricsPort = 0;
let alertmanager: LoopbackServer | undefined;
let prometheus: LoopbackServer | undefined;
let secrets: string | undefined;
let api: PrometheusApi;

function gateway(): Harness {
  if (!h) throw new Error('the gateway is not running');
  return h;
}

async function startGateway(port: string): Promise<Harness> {
  return startHarness({ env: { REDIS_CLUSTER_NODES: cluster!.seeds.join(','), METRICS_PORT: port }, configYaml: gatewayConfigYaml() });
}

/** A notification of one alert, wherever it arrived. */
interface Delivery {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly text: string;
  readonly pagerduty?: PagerDutyEvent;
}

/** Every notification of `name` so far, at every receiver. */
function deliveriesOf(name: AlertName): Delivery[] {
  const fromSlack = slack!.received
    .filter((m) => new RegExp(`\\] ${name}$`).test(m.title))
    .map((m) => ({ receiver: `slack ${m.channel}`, status: m.status, text: m.text }));
  const fromPagerDuty = pagerduty!.received
    .filter((e) => e.payload?.custom_details?.alertname === name)
    .map((e) => ({
      receiver: 'pagerduty',
      status: e.event_action === 'resolve' ? ('resolved' as const) : ('firing' as const),
      text: JSON.stringify(e.payload?.custom_details),
      pagerduty: e,
    }));
  return [...fromSlack, ...fromPagerDuty];
}

/** Waits until every expected receiver has a notification of `name` in `status`; returns them. */
async function untilDelivered(name: (typeof UNDER_TEST)[number], status: 'firing' | 'resolved'): Promise<Delivery[]> {
  const found = await eventually(`${name} ${status} at ${EXPECTED[name].join(' and ')}`, async () => {
    const all = deliveriesOf(name);
    const now = all.filter((d) => d.status === status);
    const at = new Set(now.map((d) => d.receiver));
    return { ok: EXPECTED[name].every((r) => at.has(r)), value: now, detail: `${JSON.stringify(all)}; slack problems ${slack!.problems}; pagerduty problems ${pagerduty!.problems}` };
  }, { timeoutMs: DEADLINE_MS });
  return found!;
}

/** The receivers `name` reached, over the whole test: exactly the expected ones. */
function expectOnlyItsReceivers(name: (typeof UNDER_TEST)[number]): void {
  expect([...new Set(deliveriesOf(name).map((d) => d.receiver))].sort(), name).toEqual([...EXPECTED[name]].sort());
}

/** The alert's labels and runbook are in every notification of it. */
function expectLabelsAndRunbook(name: AlertName, deliveries: Delivery[], labels: Record<string, string>): void {
  const rule = RULES.find((r) => r.name === name)!;
  const want = { alertname: name, severity: rule.severity, category: rule.category, ...labels };
  for (const d of deliveries) {
    for (const [k, v] of Object.entries(want)) expect(d.text, `${name} at ${d.receiver}: label ${k}`).toContain(`${k}=${v} `);
    expect(d.text, `${name} at ${d.receiver}: runbook`).toContain(rule.runbookUrl);
  }
}

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  exporter = await startRedisExporter();
  slack = await startFakeSlack();
  pagerduty = await startFakePagerDuty({ routingKey: ROUTING_KEY });
  h = await startGateway('0');
  metricsPort = h.gateway.metricsPort;

  // The receivers' secrets are files, as in production (a Kubernetes Secret volume, compose secrets).
  secrets = await mkdtemp(join(tmpdir(), 'llm-edge-am-secrets-'));
  await writeFile(join(secrets, 'slack-api-url'), slack.url);
  await writeFile(join(secrets, 'pagerduty-routing-key'), ROUTING_KEY);
  alertmanager = await startAlertmanager(
    renderAlertmanagerYaml({
      slackApiUrlFile: join(secrets, 'slack-api-url'),
      pagerdutyRoutingKeyFile: join(secrets, 'pagerduty-routing-key'),
      pagerdutyUrl: pagerduty.url,
      groupWait: '1s',
      groupInterval: '1s',
      repeatInterval: '1h',
    }),
  );
  prometheus = await startPrometheus({
    files: {
      'prometheus.yml': renderPrometheusConfig({
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        ruleFiles: ['alerts.yml'],
        staticTargets: { gateway: [`127.0.0.1:${metricsPort}`] },
        redisMultiTarget: { exporter: exporter.address, nodes: cluster.seeds },
        alertmanagers: [alertmanager.address],
      }),
      'alerts.yml': renderAlertsYaml(TEST_ALERTS),
    },
  });
  api = new PrometheusApi(prometheus.url);
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await h?.stop();
  await Promise.all([slack?.close(), pagerduty?.close(), exporter?.stop(), cluster?.stop()]);
  if (secrets) await rm(secrets, { recursive: true, force: true });
}, 30_000);

describe('alerts delivered end to end: Prometheus -> Alertmanager -> PagerDuty and Slack', () => {
  it('scrapes the gateway and the three Redis nodes through the exporter, and Prometheus has found Alertmanager', async () => {
    await eventually('gateway and redis targets up, alertmanager discovered', async () => {
      const targets = await api.targets();
      const up = (job: string) => targets.filter((t) => t.labels.job === job && t.health === 'up').length;
      const am = (await (await fetch(`${prometheus!.url}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
      return {
        ok: up(GATEWAY_JOB) === 1 && up(REDIS_JOB) === 3 && am.data.activeAlertmanagers.some((a) => a.url.startsWith(alertmanager!.url)),
        detail: `${JSON.stringify(targets.map((t) => [t.labels.job, t.labels.instance, t.health, t.lastError]))} ${JSON.stringify(am.data)}`,
      };
    }, { timeoutMs: DEADLINE_MS });
    const redisUp = vectorOf(await api.query(`redis_up{job="${REDIS_JOB}"}`));
    expect(redisUp.map((s) => [s.metric.instance, s.value[1]]).sort()).toEqual(cluster!.seeds.map((s) => [`redis://${s}`, '1']).sort());
  }, STEP_TIMEOUT_MS);

  it("fills the Cache Performance dashboard's Redis panels from the exporter's series", async () => {
    // Cached answers put keys on the nodes, so the keys panel shows more than empty databases.
    for (let i = 0; i < 12; i++) expect((await chat(gateway(), { model: CHEAP_MODEL, content: `fill redis ${i}` })).status).toBe(200);
    const panels = dashboardQueries().filter((q) => q.dashboardUid === 'llm-edge-cache-performance' && REDIS_EXPORTER_SERIES.some((s) => q.expr.includes(s)));
    expect(panels.map((q) => q.panelTitle)).toEqual(['Redis instances up', 'Redis memory', 'Redis memory', 'Redis keys', 'Redis evictions']);
    await eventually('every Redis panel query has a finite sample for each node', async () => {
      const missing: string[] = [];
      for (const q of panels) {
        const samples = vectorOf(await api.query(toPrometheusQuery(q.expr, { rateInterval: '10s' })));
        const finite = samples.filter((s) => Number.isFinite(Number(s.value[1])));
        // The "up" stat is one fleet-wide number; the others are one series per node.
        const want = q.panelTitle === 'Redis instances up' ? 1 : 3;
        if (finite.length !== want) missing.push(`${q.panelTitle}: ${JSON.stringify(samples)} (${q.expr})`);
      }
      const keys = vectorOf(await api.query('sum(redis_db_keys{job="redis"})'));
      if (!(Number(keys[0]?.value[1]) > 0)) missing.push(`no keys on the nodes yet: ${JSON.stringify(keys)}`);
      return { ok: missing.length === 0, detail: missing.join('\n') };
    }, { timeoutMs: DEADLINE_MS });
  }, STEP_TIMEOUT_MS);

  it('CircuitBreakerOpen reaches #llm-edge-agent when a provider fails until its breaker opens, and resolves when it recovers', async () => {
    const g = gateway();
    g.openai.setDefault({ kind: 'status', status: 503 });
    await eventually('openai breaker open', async () => {
      await chat(g, { model: CHEAP_MODEL, content: `failing ${Date.now()}`, headers: { 'cache-control': 'no-cache, no-store' } });
      const health = await providerHealth(g);
      return { ok: health.openai === 0, detail: JSON.stringify(health) };
    }, { timeoutMs: 20_000, intervalMs: 50 });
    const firing = await untilDelivered('CircuitBreakerOpen', 'firing');
    expectLabelsAndRunbook('CircuitBreakerOpen', firing, { provider: 'openai', job: GATEWAY_JOB, instance: `127.0.0.1:${metricsPort}` });

    // Recovered: after the cool-down a probe succeeds and the breaker closes.
    g.openai.setDefault(null);
    await eventually('openai breaker closed', async () => {
      await chat(g, { model: CHEAP_MODEL, content: `recovered ${Date.now()}`, headers: { 'cache-control': 'no-cache, no-store' } });
      const text = await (await fetch(g.gateway.metricsUrl)).text();
      return { ok: /llm_edge_circuit_breaker_state\{[^}]*provider="openai"[^}]*\} 0$/m.test(text), detail: text.split('\n').filter((l) => l.startsWith('llm_edge_circuit_breaker_state')).join('; ') };
    }, { timeoutMs: 20_000, intervalMs: 200 });
    const resolved = await untilDelivered('CircuitBreakerOpen', 'resolved');
    expectLabelsAndRunbook('CircuitBreakerOpen', resolved, { provider: 'openai' });
    expectOnlyItsReceivers('CircuitBreakerOpen');
  }, STEP_TIMEOUT_MS);

  it('RedisDown reaches #llm-edge-agent when a Redis node is killed, and resolves when it is back', async () => {
    const node = cluster!.nodes[2]!;
    await node.kill();
    const firing = await untilDelivered('RedisDown', 'firing');
    expectLabelsAndRunbook('RedisDown', firing, { instance: `redis://127.0.0.1:${node.port}`, job: REDIS_JOB });
    await node.restart();
    const resolved = await untilDelivered('RedisDown', 'resolved');
    expectLabelsAndRunbook('RedisDown', resolved, { instance: `redis://127.0.0.1:${node.port}` });
    expectOnlyItsReceivers('RedisDown');
  }, STEP_TIMEOUT_MS);

  it('HighDailyCost reaches #finops when spend passes the threshold, and resolves when the spend leaves the window', async () => {
    const g = gateway();
    const spendOf = async () => Number(vectorOf(await api.query(`sum(llm_edge_cost_usd_total{job="${GATEWAY_JOB}",model="${COSTLY_MODEL}"})`))[0]?.value[1] ?? NaN);
    // The first priced answer creates the counter; increase() counts only what comes after
    // Prometheus has seen it, so the expensive requests follow its first scrape.
    expect((await chat(g, { model: COSTLY_MODEL, content: 'the first priced question' })).status).toBe(200);
    await eventually('the cost counter scraped', async () => ({ ok: (await spendOf()) > 0 }), { timeoutMs: DEADLINE_MS });
    const before = await spendOf();
    for (let i = 0; i < 3; i++) expect((await chat(g, { model: COSTLY_MODEL, content: `an expensive question ${i}` })).status).toBe(200);
    await eventually('spend over the threshold scraped', async () => {
      const spent = (await spendOf()) - before;
      return { ok: spent > 100, detail: `$${spent} more` };
    }, { timeoutMs: DEADLINE_MS });
    const firing = await untilDelivered('HighDailyCost', 'firing');
    expectLabelsAndRunbook('HighDailyCost', firing, {});
    // No more spend: after the 15s window it is out of the sum.
    const resolved = await untilDelivered('HighDailyCost', 'resolved');
    expectLabelsAndRunbook('HighDailyCost', resolved, {});
    expectOnlyItsReceivers('HighDailyCost');
  }, STEP_TIMEOUT_MS);

  it('LLMEdgeAgentDown pages PagerDuty (its own severity) and #incidents when the gateway dies, mutes that instance, and resolves the same incident when it is back', async () => {
    const instance = `127.0.0.1:${metricsPort}`;
    const stopping = h!;
    h = undefined;
    await stopping.stop();
    const firing = await untilDelivered('LLMEdgeAgentDown', 'firing');
    expectLabelsAndRunbook('LLMEdgeAgentDown', firing, { instance, job: GATEWAY_JOB });
    const trigger = firing.find((d) => d.receiver === 'pagerduty')!.pagerduty!;
    expect(trigger.event_action).toBe('trigger');
    expect(trigger.payload?.severity).toBe('critical');
    expect(trigger.links?.map((l) => l.href)).toEqual([RULES.find((r) => r.name === 'LLMEdgeAgentDown')!.runbookUrl]);

    // Another alert of the dead instance is muted by the inhibition rule, in the real Alertmanager.
    const muted = { alertname: 'HighCPUUsage', severity: 'warning', category: 'performance', job: GATEWAY_JOB, instance };
    const post = async (endsAt?: string) => {
      const res = await fetch(`${alertmanager!.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: muted, annotations: { summary: 'posted by the test' }, startsAt: new Date(Date.now() - 1_000).toISOString(), ...(endsAt ? { endsAt } : {}) }]),
      });
      expect(res.status).toBe(200);
    };
    await post();
    await eventually('HighCPUUsage inhibited by LLMEdgeAgentDown', async () => {
      const alerts = (await (await fetch(`${alertmanager!.url}/api/v2/alerts?filter=alertname%3D%22HighCPUUsage%22`)).json()) as Array<{ status: { state: string; inhibitedBy: string[] } }>;
      return { ok: alerts.length === 1 && alerts[0]!.status.state === 'suppressed' && alerts[0]!.status.inhibitedBy.length === 1, detail: JSON.stringify(alerts) };
    }, { timeoutMs: DEADLINE_MS });
    // Resolved while still muted, so it is never sent once the gateway is back.
    await post(new Date().toISOString());

    // Back on the same port: the target is up again and the incident resolves.
    h = await startGateway(String(metricsPort));
    const resolved = await untilDelivered('LLMEdgeAgentDown', 'resolved');
    expectLabelsAndRunbook('LLMEdgeAgentDown', resolved, { instance });
    const resolve = resolved.find((d) => d.receiver === 'pagerduty')!.pagerduty!;
    expect(resolve.event_action).toBe('resolve');
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
    expectOnlyItsReceivers('LLMEdgeAgentDown');
    expect(deliveriesOf('HighCPUUsage')).toEqual([]);
  }, STEP_TIMEOUT_MS);

  it('sent nothing the fake Slack and PagerDuty refused', () => {
    expect(slack!.problems).toEqual([]);
    expect(pagerduty!.problems).toEqual([]);
    expect(pagerduty!.received.length).toBeGreaterThanOrEqual(2);
  });
});
