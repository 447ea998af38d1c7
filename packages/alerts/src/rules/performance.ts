/** Performance: the gateway serves, but slowly or close to a resource limit. */
import { ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { bytes, Dashboards, num, percent, quantileName, rate, requestLatency } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const performanceRules = {
  category: 'performance',
  build: ({ config, scope, gateway }: RuleContext) => {
    const q = quantileName(config.latencyQuantile);
    return {
      HighLatency: {
        // Fleet-wide quantile: buckets are summed across instances before the quantile is taken.
        expr: `${requestLatency(scope, config.latencyQuantile)} > ${num(config.latencySeconds)}`,
        severity: 'warning',
        summary: `${q} request latency through the gateway is above ${config.latencySeconds}s.`,
        description:
          `${q} request latency over the last ${config.rateWindow} is {{ $value | humanizeDuration }} ` +
          `(threshold ${config.latencySeconds}s).`,
        dashboard: Dashboards.requestOverview.title,
      },
      HighMemoryUsage: {
        expr: `${gateway(ExternalMetrics.processResidentMemoryBytes)} > ${num(config.memoryBytes)}`,
        severity: 'warning',
        summary: `A gateway process uses more than ${bytes(config.memoryBytes)} of resident memory.`,
        description:
          `Gateway instance {{ $labels.instance }} has {{ $value | humanize }}B of resident memory ` +
          `(threshold ${bytes(config.memoryBytes)}).`,
        dashboard: Dashboards.systemHealth.title,
      },
      HighCPUUsage: {
        // Per process and in cores: the event loop runs on one core, so 0.8 means the loop is
        // nearly saturated whatever the pod's CPU limit is.
        expr: `${rate(gateway(ExternalMetrics.processCpuSecondsTotal), config.rateWindow)} > ${num(config.cpuCores)}`,
        severity: 'warning',
        summary: `A gateway process uses more than ${percent(config.cpuCores)} of a CPU core.`,
        description:
          `Gateway instance {{ $labels.instance }} used {{ $value | humanizePercentage }} of one core ` +
          `over the last ${config.rateWindow} (threshold ${percent(config.cpuCores)}).`,
        dashboard: Dashboards.systemHealth.title,
      },
      HighConnectionCount: {
        expr: `${gateway(Metrics.activeConnections)} > ${num(config.connections)}`,
        severity: 'warning',
        summary: `A gateway process holds more than ${config.connections} open client connections.`,
        description:
          `Gateway instance {{ $labels.instance }} has {{ $value }} open client connections ` +
          `(threshold ${config.connections}).`,
        dashboard: Dashboards.systemHealth.title,
      },
    };
  },
} satisfies CategoryRules<'HighLatency' | 'HighMemoryUsage' | 'HighCPUUsage' | 'HighConnectionCount'>;
