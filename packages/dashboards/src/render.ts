/** The five dashboards, rendered to the JSON files Grafana provisions, and the queries inside them. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './build-dashboard.js';
import type { DashboardSpec } from './build-dashboard.js';
import { cachePerformance } from './dashboards/cache-performance.js';
import { costAnalytics } from './dashboards/cost-analytics.js';
import { providerMetrics } from './dashboards/provider-metrics.js';
import { requestOverview } from './dashboards/request-overview.js';
import { systemHealth } from './dashboards/system-health.js';

/** DESIGN.md's five dashboards, in their fixed order. Each call builds fresh builders. */
export const dashboardSpecs: readonly (() => DashboardSpec)[] = [
  requestOverview,
  cachePerformance,
  costAnalytics,
  systemHealth,
  providerMetrics,
];

export interface RenderedDashboard {
  uid: string;
  title: string;
  /** File name under the provisioning folder, e.g. `request-overview.json`. */
  fileName: string;
  /** Grafana dashboard JSON: deterministic, pretty-printed, with a trailing newline. */
  json: string;
}

function built(): { spec: DashboardSpec; model: dashboard.Dashboard }[] {
  return dashboardSpecs.map((make) => {
    const spec = make();
    return { spec, model: buildDashboard(spec) };
  });
}

/** The five dashboards as Grafana JSON, in DESIGN.md's order. */
export function renderDashboards(): RenderedDashboard[] {
  return built().map(({ spec, model }) => ({
    uid: spec.uid,
    title: spec.title,
    fileName: spec.fileName,
    json: `${JSON.stringify(model, null, 2)}\n`,
  }));
}

export interface PanelQuery {
  dashboardUid: string;
  panelTitle: string;
  /** PromQL as written in the dashboard, Grafana variables (`$__rate_interval`) included. */
  expr: string;
}

/** Every target expression of every panel, read back from the built dashboards. */
export function dashboardQueries(): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const { spec, model } of built()) {
    for (const panel of model.panels ?? []) {
      if (!('targets' in panel)) continue; // a row has no queries
      for (const target of panel.targets ?? []) {
        const expr: unknown = (target as { expr?: unknown }).expr;
        if (typeof expr !== 'string') throw new Error(`dashboard ${spec.uid}, panel "${panel.title ?? ''}": a target has no expr`);
        queries.push({ dashboardUid: spec.uid, panelTitle: panel.title ?? '', expr });
      }
    }
  }
  return queries;
}
