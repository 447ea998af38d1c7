/**
 * GrafanaStack: Grafana with a provisioned Prometheus datasource (uid `prometheus`) and a dashboard
 * provider loading the dashboards rendered by `@llm-edge/dashboards`; the admin credentials come
 * from an existing Secret, never from the manifests.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Ports } from '@llm-edge/semconv';
import { renderDashboards } from '@llm-edge/dashboards';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowFromAnywhere, ingressPolicy, type NetworkedComponent } from './network.js';
import { renderGrafanaDashboardProvider, renderGrafanaDatasources, type DashboardFile } from './grafana-provisioning.js';
import type { PrometheusStack } from './prometheus-stack.js';
import { computeResources } from './resources.js';
import { restrictedContainer, restrictedPod, selectByLabels } from './security.js';
import { httpProbes } from './probes.js';
import { dataClaim } from './storage.js';

export interface GrafanaStackProps {
  /** @default 'grafana' */
  readonly name?: string;
  /** The Prometheus to read from; Grafana is let through its NetworkPolicy. */
  readonly prometheus: PrometheusStack;
  /** Dashboard files. @default renderDashboards() from `@llm-edge/dashboards` (the five dashboards) */
  readonly dashboards?: readonly DashboardFile[];
  /**
   * Existing Secret with the admin credentials: key `admin-password`, and optionally `admin-user`
   * (Grafana's default user `admin` otherwise).
   * @default 'grafana-secrets'
   */
  readonly adminSecretName?: string;
  /** @default 'admin-password' */
  readonly adminPasswordKey?: string;
  /** @default Size.gibibytes(10) */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** CPU limit in cores (the request is half). @default 0.5 */
  readonly cpu?: number;
  /** @default Size.gibibytes(1) */
  readonly memory?: Size;
  /** @default Images.grafana */
  readonly image?: string;
}

export class GrafanaStack extends Construct implements NetworkedComponent {
  public readonly name: string;
  public readonly service: kplus.Service;
  public readonly pods: kplus.Pods;
  public readonly networkPolicy: kplus.NetworkPolicy;
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: GrafanaStackProps) {
    super(scope, id);
    const name = props.name ?? 'grafana';
    const dashboards = props.dashboards ?? renderDashboards();
    const adminSecretName = props.adminSecretName ?? 'grafana-secrets';
    const adminPasswordKey = props.adminPasswordKey ?? 'admin-password';
    const storageSize = props.storageSize ?? Size.gibibytes(10);
    const cpu = props.cpu ?? 0.5;
    const memory = props.memory ?? Size.gibibytes(1);
    const image = props.image ?? Images.grafana;
    const seen = new Set<string>();
    for (const d of dashboards) {
      if (!/^[a-z0-9][a-z0-9-]*\.json$/.test(d.fileName)) throw new Error(`GrafanaStack: dashboards fileName "${d.fileName}" must be a lowercase name ending in .json`);
      if (seen.has(d.fileName)) throw new Error(`GrafanaStack: dashboards fileName "${d.fileName}" is used twice`);
      seen.add(d.fileName);
    }

    const labels = componentLabels({ name: 'grafana', instance: name, component: 'dashboards', version: imageTag(image) });
    const selector = selectorLabels({ name: 'grafana', instance: name });
    this.name = name;
    this.selectorLabels = selector;

    const provisioning = new kplus.ConfigMap(this, 'Provisioning', {
      metadata: { name: `${name}-provisioning`, labels },
      data: {
        'datasources.yml': renderGrafanaDatasources({ prometheusUrl: props.prometheus.url, scrapeInterval: props.prometheus.scrapeInterval }),
        'dashboards.yml': renderGrafanaDashboardProvider({ path: '/var/lib/grafana-dashboards' }),
      },
    });
    const dashboardConfig = new kplus.ConfigMap(this, 'Dashboards', {
      metadata: { name: `${name}-dashboards`, labels },
      data: Object.fromEntries(dashboards.map((d) => [d.fileName, d.json])),
    });
    const pvc = dataClaim(this, { name, labels, size: storageSize, storageClassName: props.storageClassName });

    const secret = kplus.Secret.fromSecretName(this, 'AdminSecret', adminSecretName);
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      podMetadata: { labels },
      select: false,
      replicas: 1,
      // SQLite on a ReadWriteOnce volume: one pod at a time.
      strategy: kplus.DeploymentStrategy.recreate(),
      securityContext: restrictedPod(ImageUsers.grafana),
      containers: [
        {
          name: 'grafana',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: 'http', number: Ports.grafana }],
          envVariables: {
            GF_SECURITY_ADMIN_USER: kplus.EnvValue.fromSecretValue({ secret, key: 'admin-user' }, { optional: true }),
            GF_SECURITY_ADMIN_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: adminPasswordKey }),
            GF_PATHS_PROVISIONING: kplus.EnvValue.fromValue('/etc/grafana/provisioning'),
            GF_LOG_MODE: kplus.EnvValue.fromValue('console'),
            GF_ANALYTICS_REPORTING_ENABLED: kplus.EnvValue.fromValue('false'),
            GF_ANALYTICS_CHECK_FOR_UPDATES: kplus.EnvValue.fromValue('false'),
            GF_USERS_ALLOW_SIGN_UP: kplus.EnvValue.fromValue('false'),
          },
          resources: computeResources({ cpu, memoryMiB: memory.toMebibytes() }),
          securityContext: restrictedContainer(ImageUsers.grafana),
          ...httpProbes({ port: Ports.grafana, live: '/api/health', startupFailures: 60 }),
        },
      ],
    });
    const c = deployment.containers[0]!;
    c.mount('/etc/grafana/provisioning/datasources', kplus.Volume.fromConfigMap(this, 'DatasourcesVolume', provisioning, {
      name: 'datasources', items: { 'datasources.yml': { path: 'prometheus.yml' } },
    }), { readOnly: true });
    c.mount('/etc/grafana/provisioning/dashboards', kplus.Volume.fromConfigMap(this, 'ProviderVolume', provisioning, {
      name: 'dashboard-provider', items: { 'dashboards.yml': { path: 'llm-edge-agent.yml' } },
    }), { readOnly: true });
    c.mount('/var/lib/grafana-dashboards', kplus.Volume.fromConfigMap(this, 'DashboardsVolume', dashboardConfig, { name: 'dashboards' }), { readOnly: true });
    c.mount('/var/lib/grafana', kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', pvc, { name: 'data' }));
    c.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }));
    selectByLabels(deployment, selector);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, labels },
      ports: [{ name: 'http', port: Ports.grafana, targetPort: Ports.grafana }],
    });
    for (const [k, v] of Object.entries(selector)) this.service.selectLabel(k, v);

    this.pods = kplus.Pods.select(this, 'Pods', { labels: selector });
    this.networkPolicy = ingressPolicy(this, name, this.pods, labels);
    allowFromAnywhere(this, this, Ports.grafana);
    props.prometheus.allowQueriesFrom(this.pods);
  }
}
