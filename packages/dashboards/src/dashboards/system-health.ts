/** System Health: the gateway processes (CPU, memory, event loop, connections) and what they depend on. */
import { ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { bytes, Dashboards, forOf, maxBy, percent, sumBy } from '@llm-edge/monitoring';
import type { DashboardSpec } from '../build-dashboard.js';
import { redAbove, redBelow, statPanel, timeSeriesPanel } from '../panels.js';
import { alertConfig, gateway, gatewayHistogram, quantile, rate } from '../queries.js';
import { providerHealthTimeline, redisUpStat } from '../shared-panels.js';

/** Providers taking traffic on at least one instance; `or vector(0)` so none reads 0, not "no data". */
function healthyProviders(): string {
  return `count(${maxBy(['provider'], gateway(Metrics.providerHealth))} == 1) or vector(0)`;
}

export function systemHealth(): DashboardSpec {
  return {
    ...Dashboards.systemHealth,
    description: 'CPU, memory, event loop lag and connections of the gateway processes, and the health of providers and Redis.',
    panels: [
      statPanel({
        title: 'Gateway instances up',
        description: `Gateway instances Prometheus scrapes successfully. LLMEdgeAgentDown fires when one is down for ${forOf(alertConfig, 'LLMEdgeAgentDown')}.`,
        unit: 'short',
        queries: [{ expr: sumBy([], gateway(ExternalMetrics.up)), legend: 'up' }],
        thresholds: redBelow(1),
      }),
      statPanel({
        title: 'Healthy providers',
        description: `Providers taking traffic. AllProvidersDown fires when none is for ${forOf(alertConfig, 'AllProvidersDown')}.`,
        unit: 'short',
        queries: [{ expr: healthyProviders(), legend: 'healthy' }],
        thresholds: redBelow(1),
      }),
      redisUpStat(),
      statPanel({
        title: 'Open connections, busiest instance',
        description: `Open client TCP connections of the busiest gateway instance. HighConnectionCount fires above ${alertConfig.connections} on an instance for ${forOf(alertConfig, 'HighConnectionCount')}.`,
        unit: 'short',
        queries: [{ expr: maxBy([], gateway(Metrics.activeConnections)), legend: 'connections' }],
        thresholds: redAbove(alertConfig.connections),
      }),
      timeSeriesPanel({
        title: 'CPU usage',
        description: `CPU seconds used per second, per instance (1 = one core). HighCPUUsage fires above ${percent(alertConfig.cpuCores)} for ${forOf(alertConfig, 'HighCPUUsage')}.`,
        unit: 'percentunit',
        queries: [{ expr: rate(gateway(ExternalMetrics.processCpuSecondsTotal)), legend: '{{instance}}' }],
        thresholds: redAbove(alertConfig.cpuCores),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Memory',
        description: `Resident memory and used V8 heap, per instance. HighMemoryUsage fires above ${bytes(alertConfig.memoryBytes)} resident for ${forOf(alertConfig, 'HighMemoryUsage')}.`,
        unit: 'bytes',
        queries: [
          { expr: gateway(ExternalMetrics.processResidentMemoryBytes), legend: 'resident {{instance}}' },
          { expr: gateway(ExternalMetrics.nodejsHeapSizeUsedBytes), legend: 'heap used {{instance}}' },
        ],
        thresholds: redAbove(alertConfig.memoryBytes),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Event loop delay',
        description: 'How late the event loop runs a timer due every 10 ms (what a request arriving then waits: GC pauses and synchronous work), p99 and p50 per instance.',
        unit: 's',
        queries: [
          { expr: quantile(0.99, Metrics.eventLoopDelaySeconds, ['instance']), legend: 'p99 {{instance}}' },
          { expr: quantile(0.5, Metrics.eventLoopDelaySeconds, ['instance']), legend: 'p50 {{instance}}' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Connections',
        description: 'Open client TCP connections and requests in flight, per instance; the dashed line is the HighConnectionCount limit.',
        unit: 'short',
        queries: [
          { expr: gateway(Metrics.activeConnections), legend: 'connections {{instance}}' },
          { expr: gateway(Metrics.inFlightRequests), legend: 'in flight {{instance}}' },
        ],
        thresholds: redAbove(alertConfig.connections),
        min: 0,
      }),
      providerHealthTimeline(),
      timeSeriesPanel({
        title: 'Time in garbage collection',
        description: 'Share of wall time spent in V8 garbage collection, per instance.',
        unit: 'percentunit',
        queries: [
          {
            expr: sumBy(['instance'], rate(gatewayHistogram(ExternalMetrics.nodejsGcDurationSeconds, '_sum'))),
            legend: '{{instance}}',
          },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Open file descriptors and handles',
        description: 'Open file descriptors and active libuv handles, per instance.',
        unit: 'short',
        queries: [
          { expr: gateway(ExternalMetrics.processOpenFds), legend: 'fds {{instance}}' },
          { expr: gateway(ExternalMetrics.nodejsActiveHandlesTotal), legend: 'handles {{instance}}' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Uptime',
        description: 'Time since each instance started; a drop is a restart.',
        unit: 's',
        queries: [{ expr: `time() - ${gateway(ExternalMetrics.processStartTimeSeconds)}`, legend: '{{instance}}' }],
        min: 0,
      }),
    ],
  };
}
