/**
 * Grafana provisioning files (datasource and dashboard provider), shared by GrafanaStack and the
 * compose stack. The datasource uid is `prometheus`: the dashboards reference it by that uid.
 */
import { stringify } from 'yaml';

export const PROMETHEUS_DATASOURCE_UID = 'prometheus';

/** Renders `provisioning/datasources/prometheus.yml`. */
export function renderGrafanaDatasources(o: { prometheusUrl: string; scrapeInterval?: string }): string {
  const config = {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: PROMETHEUS_DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: o.prometheusUrl,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: o.scrapeInterval ?? '15s' },
      },
    ],
  };
  return '# Rendered by @llm-edge/charts; do not edit by hand.\n' + stringify(config, { lineWidth: 0 });
}

/** Renders `provisioning/dashboards/llm-edge-agent.yml`: load every JSON file under `path`. */
export function renderGrafanaDashboardProvider(o: { path: string; folder?: string }): string {
  const config = {
    apiVersion: 1,
    providers: [
      {
        name: 'llm-edge-agent',
        folder: o.folder ?? 'LLM Edge Agent',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: o.path, foldersFromFilesStructure: false },
      },
    ],
  };
  return '# Rendered by @llm-edge/charts; do not edit by hand.\n' + stringify(config, { lineWidth: 0 });
}

/** One dashboard file for the provider (the shape `@llm-edge/dashboards` renders). */
export interface DashboardFile {
  readonly uid: string;
  readonly title: string;
  readonly fileName: string;
  readonly json: string;
}
