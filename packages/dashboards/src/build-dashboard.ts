/**
 * Turns a dashboard's spec (uid, title, panels) into a Grafana dashboard with what all five share:
 * the `datasource` variable, tags, a link menu to the others, refresh and time settings.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_VARIABLE } from './panels.js';
import type { PanelBuilder } from './panels.js';

/** Uid of the provisioned Prometheus datasource, the `datasource` variable's default. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus';
/** Name of the provisioned Prometheus datasource. */
export const PROMETHEUS_DATASOURCE_NAME = 'Prometheus';
/** Tag on all five dashboards; their link menu lists dashboards with it. */
export const DASHBOARD_TAG = 'llm-edge-agent';

export interface DashboardSpec {
  /** Stable uid: links and bookmarks survive a re-render. At most 40 characters (Grafana's limit). */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** File the rendered JSON is written to, e.g. `request-overview.json`. */
  readonly fileName: string;
  /** Default time range, Grafana relative time such as `now-6h`. @default 'now-1h' */
  readonly from?: string;
  readonly panels: readonly PanelBuilder[];
}

const UID = /^[a-zA-Z0-9_-]{1,40}$/;
const FILE_NAME = /^[a-z0-9-]+\.json$/;

export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  if (!UID.test(spec.uid)) throw new Error(`dashboard "${spec.title}": uid ${JSON.stringify(spec.uid)} must be 1-40 of [a-zA-Z0-9_-]`);
  if (!FILE_NAME.test(spec.fileName)) {
    throw new Error(`dashboard "${spec.title}": fileName ${JSON.stringify(spec.fileName)} must be kebab-case ending in .json`);
  }
  if (spec.panels.length === 0) throw new Error(`dashboard "${spec.title}": panels must not be empty`);

  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: spec.from ?? 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label('Data source')
        .type('prometheus')
        .current({ selected: true, text: PROMETHEUS_DATASOURCE_NAME, value: PROMETHEUS_DATASOURCE_UID }),
    )
    // Grafana's own annotations (alerts, manual notes); it expects `annotations.list` to exist.
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .type('dashboard')
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)'),
    )
    .link(
      new dashboard.DashboardLinkBuilder('LLM Edge Agent')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  // Panel ids are fixed by position so the JSON does not change between renders.
  spec.panels.forEach((panel, i) => builder.withPanel(panel.id(i + 1)));
  return builder.build();
}
