/**
 * The five Grafana dashboards by name: `@llm-edge/dashboards` renders them under these uids,
 * titles and file names, and every alert's `dashboard` annotation names one by its title.
 */

export interface DashboardName {
  /** Stable Grafana uid (at most 40 characters), so links and bookmarks survive a re-render. */
  readonly uid: string;
  readonly title: string;
  /** The JSON file Grafana provisions it from. */
  readonly fileName: string;
}

export const Dashboards = {
  requestOverview: { uid: 'llm-edge-request-overview', title: 'LLM Edge Agent / Request Overview', fileName: 'request-overview.json' },
  cachePerformance: { uid: 'llm-edge-cache-performance', title: 'LLM Edge Agent / Cache Performance', fileName: 'cache-performance.json' },
  costAnalytics: { uid: 'llm-edge-cost-analytics', title: 'LLM Edge Agent / Cost Analytics', fileName: 'cost-analytics.json' },
  systemHealth: { uid: 'llm-edge-system-health', title: 'LLM Edge Agent / System Health', fileName: 'system-health.json' },
  providerMetrics: { uid: 'llm-edge-provider-metrics', title: 'LLM Edge Agent / Provider Metrics', fileName: 'provider-metrics.json' },
} as const satisfies Record<string, DashboardName>;

export type DashboardTitle = (typeof Dashboards)[keyof typeof Dashboards]['title'];
