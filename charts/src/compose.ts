/**
 * The single-host stack's config files (docker-compose.production.yml mounts them from
 * dist/compose/), rendered by the same functions the constructs use so both stacks agree.
 */
import { stringify } from 'yaml';
import {
  renderClusterBootstrapScript,
  renderGrafanaDashboardProvider,
  renderGrafanaDatasources,
  renderJaegerConfig,
  renderPrometheusConfig,
  renderRedisConf,
  renderSamplingStrategies,
} from '@llm-edge/charts';
import { renderAlertmanagerYaml, renderAlertsYaml } from '@llm-edge/alerts';
import { renderDashboards } from '@llm-edge/dashboards';
import { Ports } from '@llm-edge/semconv';
import { GATEWAY_CONFIG } from './platform.js';

/** Compose service names the configs point at (docker-compose.production.yml defines them). */
export const ComposeServices = {
  gateway: 'llm-edge-agent',
  redisNodes: ['redis-1', 'redis-2', 'redis-3'],
  redisExporter: 'redis-exporter',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  jaeger: 'jaeger',
} as const;

/**
 * Where compose mounts Alertmanager's receiver credentials: its `secrets:` (files on the host)
 * land under /run/secrets/<name> in the container.
 */
export const ComposeSecrets = {
  slackApiUrl: '/run/secrets/slack-api-url',
  pagerdutyRoutingKey: '/run/secrets/pagerduty-routing-key',
} as const;

/** Relative path under dist/compose/ -> file content. */
export function renderComposeConfigs(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'prometheus/prometheus.yml',
    renderPrometheusConfig({
      ruleFiles: ['alerts.yml'],
      staticTargets: {
        prometheus: [`localhost:${Ports.prometheus}`],
        gateway: [`${ComposeServices.gateway}:${Ports.gatewayMetrics}`],
        jaeger: [`${ComposeServices.jaeger}:${Ports.jaegerMetrics}`],
      },
      redisMultiTarget: {
        exporter: `${ComposeServices.redisExporter}:${Ports.redisExporter}`,
        nodes: ComposeServices.redisNodes.map((n) => `${n}:${Ports.redis}`),
      },
      alertmanagers: [`${ComposeServices.alertmanager}:${Ports.alertmanager}`],
    }),
  );
  files.set('prometheus/alerts.yml', renderAlertsYaml());
  files.set(
    'alertmanager/alertmanager.yml',
    renderAlertmanagerYaml({ slackApiUrlFile: ComposeSecrets.slackApiUrl, pagerdutyRoutingKeyFile: ComposeSecrets.pagerdutyRoutingKey }),
  );
  files.set(
    'grafana/provisioning/datasources/prometheus.yml',
    renderGrafanaDatasources({ prometheusUrl: `http://${ComposeServices.prometheus}:${Ports.prometheus}` }),
  );
  files.set('grafana/provisioning/dashboards/llm-edge-agent.yml', renderGrafanaDashboardProvider({ path: '/var/lib/grafana-dashboards' }));
  for (const d of renderDashboards()) files.set(`grafana/dashboards/${d.fileName}`, d.json);
  files.set('jaeger/config.yaml', renderJaegerConfig({ dataDir: '/badger', spanTtl: '168h', samplingStrategiesFile: '/etc/jaeger/sampling.json' }));
  files.set('jaeger/sampling.json', renderSamplingStrategies(0.1));
  // 2G container limit per node in the compose file; maxmemory leaves a quarter for forks.
  files.set('redis/redis.conf', renderRedisConf({ maxMemoryMiB: 1536 }));
  files.set('redis/bootstrap.sh', renderClusterBootstrapScript());
  files.set('gateway/config.yaml', '# Rendered by charts/ (the cdk8s app) for the compose stack.\n' + stringify(GATEWAY_CONFIG, { lineWidth: 0 }));
  return files;
}
