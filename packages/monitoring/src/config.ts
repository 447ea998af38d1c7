/**
 * One object holds every threshold, window, `for` and selector of the alerts, so a user
 * reusing the alerts overrides values here instead of editing rules (the monitoring-mixin way),
 * and the dashboards draw the same limits and quote the same `for`s. The defaults are SEED.md's
 * promises.
 */
import { GATEWAY_JOB, REDIS_JOB } from '@llm-edge/semconv';
import { ALERT_NAMES, type AlertName } from './alert-names.js';
import { assertDuration } from './duration.js';
import { eq } from './promql.js';

export interface AlertConfig {
  /** Matchers that select the gateway's scrape targets. @default `job="llm-edge-agent"` */
  readonly gatewaySelector: string;
  /** Matchers that select the redis exporter's targets. @default `job="redis"` */
  readonly redisSelector: string;
  /** Each alert's `runbook_url` is this plus `#<alertname in lower case>`. */
  readonly runbookBaseUrl: string;
  /** Window of every `rate()` over gateway traffic. @default '5m' */
  readonly rateWindow: string;

  /** HighErrorRate: share of responses with a 5xx status. @default 0.01 */
  readonly errorRatio: number;
  /** HighLatency: the quantile of request latency to watch. @default 0.95 */
  readonly latencyQuantile: number;
  /** HighLatency: fires above this many seconds. @default 2 */
  readonly latencySeconds: number;
  /** LowCacheHitRate: fires below this share of cacheable requests answered from cache. @default 0.6 */
  readonly cacheHitRatio: number;
  /** LowCacheHitRate: cacheable requests per second needed before the ratio means anything. @default 0.1 */
  readonly cacheMinRequestRate: number;
  /** HighMemoryUsage: resident memory in bytes (decimal: 3.5 GB = 3.5e9). @default 3.5e9 */
  readonly memoryBytes: number;
  /** HighCPUUsage: CPU seconds per second, 1 = one full core. @default 0.8 */
  readonly cpuCores: number;
  /** HighConnectionCount: open client connections per gateway process. @default 900 */
  readonly connections: number;
  /** HighDailyCost: US dollars spent upstream over `dailyCostWindow`. @default 100 */
  readonly dailyCostUsd: number;
  /** HighDailyCost: the window spend is summed over; end-to-end tests shorten it so spend ages out. @default '24h' */
  readonly dailyCostWindow: string;
  /** CostSpike: last hour's spend over the same hour yesterday. @default 1.5 */
  readonly costSpikeRatio: number;
  /** CostSpike: the last hour must have cost at least this many dollars, so cents do not page finance. @default 1 */
  readonly costSpikeMinUsd: number;
  /** BudgetNearlyExhausted: share of a key's or team's budget for its current period that is spent. @default 0.8 */
  readonly budgetSpendRatio: number;
  /** ConfigReloadFailed: how long after a refused reload the alert stays active. @default '15m' */
  readonly configReloadWindow: string;

  /** `for` of each alert. @default SEED.md's durations */
  readonly for: Readonly<Record<AlertName, string>>;
  /** When set, replaces every alert's `for` (end-to-end tests use '0s' or '10s'). */
  readonly forOverride?: string | undefined;
  /** Labels added to every alert, e.g. `{ team: 'platform' }`. @default {} */
  readonly extraLabels: Readonly<Record<string, string>>;
}

/** What callers pass: any subset, with `for` itself a partial map. */
export type AlertConfigInput = Partial<Omit<AlertConfig, 'for'>> & {
  readonly for?: Partial<Record<AlertName, string>>;
};

/**
 * SEED.md's thresholds and `for`s, the seed's selectors and this repository's runbooks; for the
 * alerts added since (BudgetNearlyExhausted, ConfigReloadFailed), issue 17's 80% and 15m.
 */
export const defaultAlertConfig: AlertConfig = {
  gatewaySelector: eq('job', GATEWAY_JOB),
  redisSelector: eq('job', REDIS_JOB),
  runbookBaseUrl: 'https://github.com/llm-edge-agent/llm-edge-agent/blob/main/packages/alerts/README.md',
  rateWindow: '5m',
  errorRatio: 0.01,
  latencyQuantile: 0.95,
  latencySeconds: 2,
  cacheHitRatio: 0.6,
  cacheMinRequestRate: 0.1,
  memoryBytes: 3.5e9,
  cpuCores: 0.8,
  connections: 900,
  dailyCostUsd: 100,
  dailyCostWindow: '24h',
  costSpikeRatio: 1.5,
  costSpikeMinUsd: 1,
  budgetSpendRatio: 0.8,
  configReloadWindow: '15m',
  for: {
    LLMEdgeAgentDown: '1m',
    HighErrorRate: '5m',
    AllProvidersDown: '2m',
    HighLatency: '5m',
    LowCacheHitRate: '15m',
    HighMemoryUsage: '10m',
    CircuitBreakerOpen: '2m',
    RedisDown: '1m',
    HighCPUUsage: '10m',
    HighConnectionCount: '5m',
    HighDailyCost: '1h',
    CostSpike: '30m',
    BudgetNearlyExhausted: '15m',
    ConfigReloadFailed: '0s',
  },
  forOverride: undefined,
  extraLabels: {},
};

// `name="value"` pairs (=, !=, =~, !~) separated by commas: what goes between a selector's braces.
const MATCHER = String.raw`\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*`;
const MATCHER_LIST = new RegExp(`^${MATCHER}(?:,${MATCHER})*,?\\s*$`);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['alertname', 'severity', 'category']);

/** Defaults merged with `input`, every field checked; errors name the field. */
export function resolveAlertConfig(input: AlertConfigInput = {}): AlertConfig {
  const unknown = Object.keys(input).filter((k) => !(k in defaultAlertConfig));
  if (unknown.length > 0) {
    throw new Error(`AlertConfig has no field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  const config: AlertConfig = {
    ...defaultAlertConfig,
    ...withoutUndefined(input),
    for: { ...defaultAlertConfig.for, ...withoutUndefined(input.for ?? {}) },
    extraLabels: { ...(input.extraLabels ?? defaultAlertConfig.extraLabels) },
  };

  for (const field of ['gatewaySelector', 'redisSelector'] as const) {
    if (!MATCHER_LIST.test(config[field])) {
      throw new Error(
        `AlertConfig.${field} must be label matchers without braces, such as 'job="llm-edge-agent"', ` +
          `got ${JSON.stringify(config[field])}`,
      );
    }
  }
  if (!/^https?:\/\/[^\s#]+$/.test(config.runbookBaseUrl)) {
    throw new Error(
      `AlertConfig.runbookBaseUrl must be an http(s) URL without a #fragment, got ${JSON.stringify(config.runbookBaseUrl)}`,
    );
  }
  assertDuration('AlertConfig.rateWindow', config.rateWindow);
  assertDuration('AlertConfig.dailyCostWindow', config.dailyCostWindow);
  assertDuration('AlertConfig.configReloadWindow', config.configReloadWindow);

  ratio('errorRatio', config.errorRatio);
  ratio('latencyQuantile', config.latencyQuantile);
  ratio('cacheHitRatio', config.cacheHitRatio);
  ratio('budgetSpendRatio', config.budgetSpendRatio);
  positive('latencySeconds', config.latencySeconds);
  positive('cacheMinRequestRate', config.cacheMinRequestRate);
  positive('memoryBytes', config.memoryBytes);
  positive('cpuCores', config.cpuCores);
  positive('connections', config.connections);
  positive('dailyCostUsd', config.dailyCostUsd);
  positive('costSpikeRatio', config.costSpikeRatio);
  nonNegative('costSpikeMinUsd', config.costSpikeMinUsd);

  const unknownFor = Object.keys(config.for).filter((k) => !(ALERT_NAMES as readonly string[]).includes(k));
  if (unknownFor.length > 0) {
    throw new Error(`AlertConfig.for names no alert ${unknownFor.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  for (const name of ALERT_NAMES) assertDuration(`AlertConfig.for.${name}`, config.for[name], { allowZero: true });
  if (config.forOverride !== undefined) {
    assertDuration('AlertConfig.forOverride', config.forOverride, { allowZero: true });
  }

  for (const [label, value] of Object.entries(config.extraLabels)) {
    if (!LABEL_NAME.test(label) || label.startsWith('__') || RESERVED_LABELS.has(label)) {
      throw new Error(
        `AlertConfig.extraLabels has an invalid or reserved label name ${JSON.stringify(label)} ` +
          `(alertname, severity and category are set by the rules)`,
      );
    }
    if (typeof value !== 'string') {
      throw new Error(`AlertConfig.extraLabels.${label} must be a string, got ${JSON.stringify(value)}`);
    }
  }
  return config;
}

/**
 * The `for` an alert renders with: the override when one is set.
 * @example forOf(defaultAlertConfig, 'HighLatency') // '5m'
 */
export function forOf(config: AlertConfig, name: AlertName): string {
  return config.forOverride ?? config.for[name];
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function ratio(field: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new Error(`AlertConfig.${field} must be a number between 0 and 1 (exclusive), got ${JSON.stringify(value)}`);
  }
}

function positive(field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`AlertConfig.${field} must be a finite number greater than 0, got ${JSON.stringify(value)}`);
  }
}

function nonNegative(field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`AlertConfig.${field} must be a finite number of 0 or more, got ${JSON.stringify(value)}`);
  }
}
