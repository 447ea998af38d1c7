/**
 * `promtool test rules` scenarios for every alert, written against the seed's thresholds.
 *
 * A firing case says when its expression first becomes true (`activeAt`); the generator then checks
 * that the alert is still pending one evaluation before `activeAt + for` and firing at it, so the
 * rendered `for` is proven, not just the threshold. A quiet case sits just under the threshold (or
 * recovers just before `for`) and is checked at times where a firing case would already fire.
 */
import { BudgetScope, CacheStatus, ConfigReloadResult, ExternalMetrics, Label, Metrics } from '@llm-edge/semconv';
import type { AlertName } from '../src/index.js';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface FiringCase {
  readonly name: string;
  /** Spacing of `values`. @default '1m' */
  readonly interval?: string;
  readonly series: readonly InputSeries[];
  /** First evaluation at which the expression is true. */
  readonly activeAt: string;
  /** The alert's labels besides alertname, severity and category. */
  readonly labels: Readonly<Record<string, string>>;
  /** The rendered description at `activeAt + for`. */
  readonly description: string;
}

export interface QuietCase {
  readonly name: string;
  readonly interval?: string;
  readonly series: readonly InputSeries[];
  /** Evaluation times at which no alert may be firing. */
  readonly quietAt: readonly string[];
}

export interface AlertCases {
  readonly fires: readonly FiringCase[];
  readonly quiet: readonly QuietCase[];
}

/** `metric{a="b",...}` in promtool's series notation. */
function s(metric: string, labels: Readonly<Record<string, string>>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${metric}{${body}}`;
}

const GW_JOB = 'llm-edge-agent';
const GW_INSTANCE = 'gw-0:9090';
const GW = { job: GW_JOB, instance: GW_INSTANCE };
const REDIS = { job: 'redis', instance: 'redis-0:9121' };
const CHAT = { ...GW, [Label.route]: '/v1/chat/completions', [Label.model]: 'gpt-4o', [Label.provider]: 'openai' };

const up = (labels: Record<string, string>, values: string) => ({ series: s(ExternalMetrics.up, labels), values });
const requests = (labels: Record<string, string>, values: string) => ({
  series: s(Metrics.requestsTotal.name, { ...CHAT, [Label.status]: '200', [Label.cache]: CacheStatus.miss, ...labels }),
  values,
});
const latencyBucket = (le: string, values: string) => ({
  series: s(`${Metrics.requestDurationSeconds.name}_bucket`, {
    ...GW,
    [Label.route]: '/v1/chat/completions',
    [Label.provider]: 'openai',
    [Label.cache]: CacheStatus.miss,
    le,
  }),
  values,
});
const health = (provider: string, values: string) => ({
  series: s(Metrics.providerHealth.name, { ...GW, [Label.provider]: provider }),
  values,
});
const breaker = (provider: string, values: string) => ({
  series: s(Metrics.circuitBreakerState.name, { ...GW, [Label.provider]: provider }),
  values,
});
const spend = (values: string) => ({
  series: s(Metrics.costUsdTotal.name, { ...GW, [Label.provider]: 'openai', [Label.model]: 'gpt-4o' }),
  values,
});

const GW_1 = { job: GW_JOB, instance: 'gw-1:9090' };
/** One replica's view of a budget: its `budget_usd` and `budget_spend_usd` series. */
const budget = (
  gw: Record<string, string>,
  scope: string,
  id: string,
  { usd, spent }: { usd: string; spent: string },
) => [
  { series: s(Metrics.budgetUsd.name, { ...gw, [Label.scope]: scope, [Label.id]: id }), values: usd },
  { series: s(Metrics.budgetSpendUsd.name, { ...gw, [Label.scope]: scope, [Label.id]: id }), values: spent },
];
const reloads = (result: string, values: string) => ({
  series: s(Metrics.configReloadsTotal.name, { ...GW, [Label.result]: result }),
  values,
});
const BUDGET_TAIL = 'once the budget is spent, its requests are refused with 429 budget_exceeded until the period resets.';
const RELOAD_TAIL =
  'it keeps serving the config it had, so the keys, limits or budgets of the new file are not in force. ' +
  'Its log line "config reload refused" names the bad field.';

const REDIS_TAIL = 'The gateway keeps serving from L1 and upstream, at a higher upstream cost.';

export const promtoolCases: Readonly<Record<AlertName, AlertCases>> = {
  LLMEdgeAgentDown: {
    fires: [
      {
        name: 'target down',
        series: [up(GW, '0x10')],
        activeAt: '0m',
        labels: GW,
        description: `Prometheus cannot scrape gateway target ${GW_INSTANCE} (job ${GW_JOB}).`,
      },
      {
        name: 'no gateway target at all (absent)',
        series: [up({ job: 'prometheus', instance: 'localhost:9090' }, '1x10')],
        activeAt: '0m',
        labels: { job: GW_JOB },
        description: `No scrape target matches job="${GW_JOB}".`,
      },
    ],
    quiet: [
      { name: 'target up', series: [up(GW, '1x10')], quietAt: ['1m', '10m'] },
      { name: 'one failed scrape, back before 1m', series: [up(GW, '0 1x10')], quietAt: ['1m', '2m', '10m'] },
    ],
  },

  HighErrorRate: {
    fires: [
      {
        name: '1.1% of responses are 5xx',
        series: [requests({}, '0+989x20'), requests({ [Label.status]: '502' }, '0+11x20')],
        activeAt: '1m', // rate() needs two samples
        labels: {},
        description: '1.1% of gateway responses over the last 5m had a 5xx status (threshold 1%).',
      },
    ],
    quiet: [
      {
        name: '0.9% of responses are 5xx',
        series: [requests({}, '0+991x20'), requests({ [Label.status]: '503' }, '0+9x20')],
        quietAt: ['6m', '20m'],
      },
      {
        name: 'idle gateway (0/0 is guarded)',
        series: [requests({}, '0x20'), requests({ [Label.status]: '500' }, '0x20')],
        quietAt: ['6m', '20m'],
      },
      {
        name: '4xx are not errors of the gateway',
        series: [requests({}, '0+900x20'), requests({ [Label.status]: '429' }, '0+100x20')],
        quietAt: ['6m', '20m'],
      },
    ],
  },

  AllProvidersDown: {
    fires: [
      {
        name: 'every provider unhealthy',
        series: [up(GW, '1x10'), health('openai', '0x10'), health('anthropic', '0x10')],
        activeAt: '0m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} reports no provider with ${Metrics.providerHealth.name} = 1, so every request it routes upstream fails.`,
      },
      {
        name: 'gateway up but exports no provider_health series',
        series: [up(GW, '1x10')],
        activeAt: '0m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} reports no provider with ${Metrics.providerHealth.name} = 1, so every request it routes upstream fails.`,
      },
    ],
    quiet: [
      {
        name: 'one provider still healthy',
        series: [up(GW, '1x10'), health('openai', '0x10'), health('anthropic', '1x10')],
        quietAt: ['2m', '10m'],
      },
      {
        name: 'gateway itself down (LLMEdgeAgentDown covers it)',
        series: [up(GW, '0x10')],
        quietAt: ['2m', '10m'],
      },
    ],
  },

  HighLatency: {
    fires: [
      {
        // 94.9% of requests within 2s: p95 interpolates to 2 + 3 * 1/51 = 2.059s.
        name: 'p95 just over 2s',
        series: [
          latencyBucket('1', '0+900x20'),
          latencyBucket('2', '0+949x20'),
          latencyBucket('5', '0+1000x20'),
          latencyBucket('+Inf', '0+1000x20'),
        ],
        activeAt: '1m',
        labels: {},
        description: 'p95 request latency over the last 5m is 2.059s (threshold 2s).',
      },
    ],
    quiet: [
      {
        // 95.1% within 2s: p95 = 1 + 50/51 = 1.98s.
        name: 'p95 just under 2s',
        series: [
          latencyBucket('1', '0+900x20'),
          latencyBucket('2', '0+951x20'),
          latencyBucket('5', '0+1000x20'),
          latencyBucket('+Inf', '0+1000x20'),
        ],
        quietAt: ['6m', '20m'],
      },
    ],
  },

  LowCacheHitRate: {
    fires: [
      {
        name: '59% of lookups hit',
        series: [
          requests({ [Label.cache]: CacheStatus.hitL1 }, '0+400x30'),
          requests({ [Label.cache]: CacheStatus.hitL2 }, '0+190x30'),
          requests({ [Label.cache]: CacheStatus.miss }, '0+410x30'),
        ],
        activeAt: '1m',
        labels: {},
        description: '59% of cacheable requests over the last 5m were cache hits (threshold 60%).',
      },
      {
        name: 'no hit series at all (0%)',
        series: [requests({ [Label.cache]: CacheStatus.miss }, '0+100x30')],
        activeAt: '1m',
        labels: {},
        description: '0% of cacheable requests over the last 5m were cache hits (threshold 60%).',
      },
    ],
    quiet: [
      {
        // Counting bypass as a lookup would make this 30.5% and fire.
        name: '61% of lookups hit, with many bypassed requests',
        series: [
          requests({ [Label.cache]: CacheStatus.hitL1 }, '0+400x30'),
          requests({ [Label.cache]: CacheStatus.hitL2 }, '0+210x30'),
          requests({ [Label.cache]: CacheStatus.miss }, '0+390x30'),
          requests({ [Label.cache]: CacheStatus.bypass }, '0+1000x30'),
        ],
        quietAt: ['16m', '30m'],
      },
      {
        name: 'too little traffic to judge (5 misses a minute)',
        series: [requests({ [Label.cache]: CacheStatus.miss }, '0+5x30')],
        quietAt: ['16m', '30m'],
      },
    ],
  },

  HighMemoryUsage: {
    fires: [
      {
        name: '3.51 GB resident',
        series: [{ series: s(ExternalMetrics.processResidentMemoryBytes, GW), values: '3510000000x20' }],
        activeAt: '0m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} has 3.51GB of resident memory (threshold 3.5 GB).`,
      },
    ],
    quiet: [
      {
        name: '3.49 GB resident',
        series: [{ series: s(ExternalMetrics.processResidentMemoryBytes, GW), values: '3490000000x20' }],
        quietAt: ['10m', '20m'],
      },
    ],
  },

  CircuitBreakerOpen: {
    fires: [
      {
        // Failed half-open probes between open periods must not reset the `for` clock.
        name: 'open, with failing half-open probes',
        series: [breaker('openai', '2 1 2 2 1 2 2 2 2 2 2'), breaker('anthropic', '0x10')],
        activeAt: '0m',
        labels: { ...GW, [Label.provider]: 'openai' },
        description: `The circuit breaker of provider openai on gateway instance ${GW_INSTANCE} is in state 2 (2 open, 1 half-open) and has not closed; its traffic goes to fallbacks.`,
      },
    ],
    quiet: [
      {
        name: 'open for one minute, then closed',
        series: [breaker('openai', '2 0x10')],
        quietAt: ['1m', '2m', '10m'],
      },
    ],
  },

  RedisDown: {
    fires: [
      {
        name: 'redis_up is 0',
        series: [up(REDIS, '1x10'), { series: s(ExternalMetrics.redisUp, REDIS), values: '0x10' }],
        activeAt: '0m',
        labels: REDIS,
        description: `Redis behind exporter ${REDIS.instance} (job redis) is down or its exporter cannot be scraped. ${REDIS_TAIL}`,
      },
      {
        name: 'exporter cannot be scraped',
        series: [up(REDIS, '0x10')],
        activeAt: '0m',
        labels: REDIS,
        description: `Redis behind exporter ${REDIS.instance} (job redis) is down or its exporter cannot be scraped. ${REDIS_TAIL}`,
      },
      {
        name: 'no exporter target at all (absent)',
        series: [up(GW, '1x10')],
        activeAt: '0m',
        labels: { job: 'redis' },
        description: `No redis exporter target matches job="redis". ${REDIS_TAIL}`,
      },
    ],
    quiet: [
      {
        name: 'redis up',
        series: [up(REDIS, '1x10'), { series: s(ExternalMetrics.redisUp, REDIS), values: '1x10' }],
        quietAt: ['1m', '10m'],
      },
      {
        name: 'down for one scrape, back before 1m',
        series: [up(REDIS, '1x10'), { series: s(ExternalMetrics.redisUp, REDIS), values: '0 1x10' }],
        quietAt: ['1m', '2m', '10m'],
      },
    ],
  },

  HighCPUUsage: {
    fires: [
      {
        // 51 CPU-seconds a minute = 0.85 cores. rate() only reaches it once the 5m window is full.
        name: '85% of a core',
        series: [{ series: s(ExternalMetrics.processCpuSecondsTotal, GW), values: '0+51x30' }],
        activeAt: '5m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} used 85% of one core over the last 5m (threshold 80%).`,
      },
    ],
    quiet: [
      {
        name: '79% of a core',
        series: [{ series: s(ExternalMetrics.processCpuSecondsTotal, GW), values: '0+47.4x30' }],
        quietAt: ['15m', '30m'],
      },
    ],
  },

  HighConnectionCount: {
    fires: [
      {
        name: '901 connections',
        series: [{ series: s(Metrics.activeConnections.name, GW), values: '901x10' }],
        activeAt: '0m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} has 901 open client connections (threshold 900).`,
      },
    ],
    quiet: [
      {
        name: '899 connections',
        series: [{ series: s(Metrics.activeConnections.name, GW), values: '899x10' }],
        quietAt: ['5m', '10m'],
      },
      {
        name: 'exactly 900 connections (the threshold is exclusive)',
        series: [{ series: s(Metrics.activeConnections.name, GW), values: '900x10' }],
        quietAt: ['5m', '10m'],
      },
    ],
  },

  HighDailyCost: {
    fires: [
      {
        // A flat day, then $101 spent in one 5m step at 24h05m.
        name: '$101 in the last 24h',
        interval: '5m',
        series: [spend('1000x288 1101x16')],
        activeAt: '24h5m',
        labels: {},
        description: 'Upstream spend over the last 24h is $101.00 (threshold $100).',
      },
    ],
    quiet: [
      {
        name: '$99 in the last 24h',
        interval: '5m',
        series: [spend('1000x288 1099x16')],
        quietAt: ['25h5m', '25h20m'],
      },
    ],
  },

  CostSpike: {
    fires: [
      {
        // $10 spent at 1h yesterday, $16 at the same time today (25h): 1.6x.
        name: '1.6x the same hour yesterday',
        interval: '5m',
        series: [spend('1000x11 1010x287 1026x12')],
        activeAt: '25h',
        labels: {},
        description:
          'Spend in the last hour is 1.60x the spend in the same hour yesterday (threshold 1.5x; hours under $1, and hours with no spend yesterday, are ignored).',
      },
    ],
    quiet: [
      {
        name: '1.49x the same hour yesterday',
        interval: '5m',
        series: [spend('1000x11 1010x287 1024.9x12')],
        quietAt: ['25h30m', '25h45m'],
      },
      {
        name: 'no spend in that hour yesterday',
        interval: '5m',
        series: [spend('1000x299 1016x12')],
        quietAt: ['25h30m', '25h45m'],
      },
      {
        name: 'no data at all yesterday',
        interval: '5m',
        series: [spend('_x287 1000x11 1016x12')],
        quietAt: ['25h30m', '25h45m'],
      },
      {
        name: '$0.16 against $0.10 is under the $1 floor',
        interval: '5m',
        series: [spend('1000x11 1000.1x287 1000.26x12')],
        quietAt: ['25h30m', '25h45m'],
      },
    ],
  },

  BudgetNearlyExhausted: {
    fires: [
      {
        // The replica that settled last saw $8.10 of $10; the other is behind. The freshest counts.
        name: 'a key at 81%, as the freshest replica saw it',
        series: [
          ...budget(GW, BudgetScope.key, 'ci-bot', { usd: '10x30', spent: '8.1x30' }),
          ...budget(GW_1, BudgetScope.key, 'ci-bot', { usd: '10x30', spent: '7x30' }),
        ],
        activeAt: '0m',
        labels: { [Label.scope]: BudgetScope.key, [Label.id]: 'ci-bot' },
        description: `The key ci-bot has spent 81% of its budget for the current period (threshold 80%); ${BUDGET_TAIL}`,
      },
      {
        name: 'a team at exactly 80% (reached counts)',
        series: budget(GW, BudgetScope.team, 'platform', { usd: '100x30', spent: '80x30' }),
        activeAt: '0m',
        labels: { [Label.scope]: BudgetScope.team, [Label.id]: 'platform' },
        description: `The team platform has spent 80% of its budget for the current period (threshold 80%); ${BUDGET_TAIL}`,
      },
    ],
    quiet: [
      {
        name: 'a key at 79% on every replica',
        series: [
          ...budget(GW, BudgetScope.key, 'ci-bot', { usd: '10x30', spent: '7.9x30' }),
          ...budget(GW_1, BudgetScope.key, 'ci-bot', { usd: '10x30', spent: '7.5x30' }),
        ],
        quietAt: ['15m', '30m'],
      },
      {
        // 85% for 10 minutes, then the period resets (spend back to 0) before `for` is over.
        name: 'a new period starts before 15m',
        series: budget(GW, BudgetScope.key, 'ci-bot', { usd: '10x30', spent: '8.5x9 0x20' }),
        quietAt: ['15m', '30m'],
      },
      {
        // $9 spent against a budget raised to $20 by a reload: 45%.
        name: 'a raised budget',
        series: budget(GW, BudgetScope.key, 'ci-bot', { usd: '10x4 20x25', spent: '9x30' }),
        quietAt: ['15m', '30m'],
      },
    ],
  },

  ConfigReloadFailed: {
    fires: [
      {
        // The gateway creates the refused series at its first refusal, already at 1.
        name: 'the first refused reload',
        series: [reloads(ConfigReloadResult.applied, '0+1x30'), reloads(ConfigReloadResult.refused, '_x5 1x30')],
        activeAt: '5m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} refused a reload of its config file in the last 15m; ${RELOAD_TAIL}`,
      },
      {
        name: 'another refusal long after the first',
        series: [reloads(ConfigReloadResult.refused, '1x30 2x30')],
        activeAt: '31m',
        labels: GW,
        description: `Gateway instance ${GW_INSTANCE} refused a reload of its config file in the last 15m; ${RELOAD_TAIL}`,
      },
    ],
    quiet: [
      {
        name: 'reloads applied, none refused',
        series: [reloads(ConfigReloadResult.applied, '0+1x30')],
        quietAt: ['1m', '16m', '30m'],
      },
      {
        name: 'a refusal more than 15m ago',
        series: [reloads(ConfigReloadResult.refused, '_x5 1x40')],
        quietAt: ['21m', '40m'],
      },
    ],
  },
};
