/**
 * LLM Edge Agent's five Grafana dashboards (DESIGN.md, "Dashboards") as typed code, every query
 * built from the `@llm-edge/semconv` contract, rendered to dashboard JSON for provisioning.
 */
export { renderDashboards, dashboardQueries, dashboardSpecs } from './render.js';
export type { RenderedDashboard, PanelQuery } from './render.js';
export { toPrometheusQuery } from './prometheus-query.js';
export { durationMs } from '@llm-edge/monitoring';
export type { PrometheusQueryOptions } from './prometheus-query.js';
export { seriesNamesIn } from './series-names.js';
export { PROMETHEUS_DATASOURCE_UID, PROMETHEUS_DATASOURCE_NAME, DASHBOARD_TAG, buildDashboard } from './build-dashboard.js';
export type { DashboardSpec } from './build-dashboard.js';
export { DATASOURCE_VARIABLE } from './panels.js';
