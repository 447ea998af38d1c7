/** Cache: the two-tier cache is not saving upstream calls, or its Redis tier is gone. */
import { ExternalMetrics } from '@llm-edge/semconv';
import { cacheHitRatio, Dashboards, num, percent } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const cacheRules = {
  category: 'cache',
  build: ({ config, scope, redis }: RuleContext) => {
    const redisUp = redis(ExternalMetrics.up);
    return {
      LowCacheHitRate: {
        // Request-level ratio from requests_total{cache}: per-tier lookup counters would count a
        // request twice (an L1 miss then an L2 lookup). `or vector(0)` keeps a 0% hit rate visible
        // when no hit series exists yet; the `>` on the denominator needs real traffic and keeps
        // an idle gateway from dividing by zero.
        expr: `${cacheHitRatio(scope, config.cacheMinRequestRate)} < ${num(config.cacheHitRatio)}`,
        severity: 'warning',
        summary: `Fewer than ${percent(config.cacheHitRatio)} of cacheable requests are answered from cache.`,
        description:
          `{{ $value | humanizePercentage }} of cacheable requests over the last ${config.rateWindow} ` +
          `were cache hits (threshold ${percent(config.cacheHitRatio)}).`,
        dashboard: Dashboards.cachePerformance.title,
      },
      RedisDown: {
        // redis_up == 0: the exporter runs but cannot reach Redis. up == 0: the exporter (a sidecar,
        // so usually the whole pod) cannot be scraped, and redis_up goes stale with it.
        // absent(up): no exporter target exists at all.
        expr: `${redis(ExternalMetrics.redisUp)} == 0 or ${redisUp} == 0 or absent(${redisUp})`,
        severity: 'warning',
        summary: 'A Redis instance of the L2 cache is down or not being scraped.',
        description:
          `{{ if $labels.instance }}Redis behind exporter {{ $labels.instance }} (job {{ $labels.job }}) is down ` +
          `or its exporter cannot be scraped.{{ else }}No redis exporter target matches ${config.redisSelector}.{{ end }} ` +
          'The gateway keeps serving from L1 and upstream, at a higher upstream cost.',
        dashboard: Dashboards.cachePerformance.title,
      },
    };
  },
} satisfies CategoryRules<'LowCacheHitRate' | 'RedisDown'>;
