/**
 * PrometheusStack: Prometheus scraping the gateway, the redis exporters, Jaeger and itself (15s),
 * with the alert rules rendered by `@llm-edge/alerts`, pod discovery and the RBAC it needs, a PVC
 * with retention by time and size; optionally Alertmanager with its rendered routing.
 */
import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Ports } from '@llm-edge/semconv';
import { renderAlertmanagerYaml, renderAlertsYaml } from '@llm-edge/alerts';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowTcp, ingressPolicy, type NetworkedComponent } from './network.js';
import { renderPrometheusConfig, type PodDiscovery } from './prometheus-config.js';
import { computeResources } from './resources.js';
import { restrictedContainer, restrictedPod, selectByLabels } from './security.js';
import { httpProbes } from './probes.js';
import { dataClaim } from './storage.js';

/** What PrometheusStack can discover and scrape: a component that exposes pod labels and a port. */
export interface ScrapeTarget {
  readonly selectorLabels: Record<string, string>;
  allowMetricsScrape(peer: kplus.INetworkPolicyPeer): void;
}

export interface AlertmanagerOptions {
  /**
   * The rendered `alertmanager.yml`.
   * @default renderAlertmanagerYaml() from `@llm-edge/alerts`
   */
  readonly config?: string;
  /**
   * Existing Secret mounted at `/etc/alertmanager/secrets` (receiver URLs and keys that the config
   * reads from files). Optional: Alertmanager starts without it.
   * @default 'alertmanager-secrets'
   */
  readonly secretName?: string;
  /** @default Images.alertmanager */
  readonly image?: string;
}

export interface PrometheusStackProps {
  /** @default 'prometheus' */
  readonly name?: string;
  /**
   * The rendered alert rules, stored as `alerts.yml`.
   * @default renderAlertsYaml() from `@llm-edge/alerts`
   */
  readonly alertRules?: string;
  /** Scrape jobs by target: the gateway (job `llm-edge-agent`), Redis exporters, Jaeger. */
  readonly targets?: {
    readonly gateway?: ScrapeTarget;
    readonly redis?: ScrapeTarget;
    readonly tracing?: ScrapeTarget;
  };
  /** @default '15s' */
  readonly scrapeInterval?: string;
  /** @default Duration.days(30) */
  readonly retention?: Duration;
  /**
   * Size of the data volume; retention by size is set a little below it so the TSDB never fills it.
   * @default Size.gibibytes(50)
   */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** CPU limit in cores (the request is half). @default 1 */
  readonly cpu?: number;
  /** @default Size.gibibytes(2) */
  readonly memory?: Size;
  /**
   * Namespaces discovered for annotated pods.
   * @default - the chart's namespace
   */
  readonly discoveryNamespaces?: readonly string[];
  /** @default - no Alertmanager */
  readonly alertmanager?: AlertmanagerOptions;
  /** @default Images.prometheus */
  readonly image?: string;
}

export class PrometheusStack extends Construct implements NetworkedComponent {
  public readonly name: string;
  public readonly service: kplus.Service;
  /** In-cluster URL of Prometheus (Grafana's datasource). */
  public readonly url: string;
  public readonly scrapeInterval: string;
  /** The rendered prometheus.yml. */
  public readonly config: string;
  public readonly alertmanagerService?: kplus.Service;
  public readonly pods: kplus.Pods;
  public readonly networkPolicy: kplus.NetworkPolicy;
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: PrometheusStackProps = {}) {
    super(scope, id);
    const name = props.name ?? 'prometheus';
    const scrapeInterval = props.scrapeInterval ?? '15s';
    const retention = props.retention ?? Duration.days(30);
    const storageSize = props.storageSize ?? Size.gibibytes(50);
    const cpu = props.cpu ?? 1;
    const memory = props.memory ?? Size.gibibytes(2);
    const image = props.image ?? Images.prometheus;
    const namespace = Chart.of(this).namespace;
    const discoveryNamespaces = props.discoveryNamespaces ?? (namespace ? [namespace] : []);
    const alertRules = props.alertRules ?? renderAlertsYaml();
    if (!alertRules.trim()) throw new Error('PrometheusStack: alertRules is empty; pass renderAlertsYaml() from @llm-edge/alerts');
    if (retention.toSeconds() < 3600) throw new Error(`PrometheusStack: retention must be at least 1h; got ${retention.toSeconds()}s`);
    if (storageSize.toMebibytes() < 1024) throw new Error(`PrometheusStack: storageSize must be at least 1Gi; got ${storageSize.toMebibytes()}Mi`);
    if (discoveryNamespaces.length === 0 && props.targets && Object.keys(props.targets).length > 0) {
      throw new Error('PrometheusStack: targets need a namespace to discover pods in; set the chart namespace or discoveryNamespaces');
    }

    const host = namespace ? `${name}.${namespace}.svc` : name;
    const labels = componentLabels({ name: 'prometheus', instance: name, component: 'metrics', version: imageTag(image) });
    const selector = selectorLabels({ name: 'prometheus', instance: name });
    this.name = name;
    this.selectorLabels = selector;
    this.scrapeInterval = scrapeInterval;
    this.url = `http://${host}:${Ports.prometheus}`;
    this.pods = kplus.Pods.select(this, 'Pods', { labels: selector });
    this.networkPolicy = ingressPolicy(this, name, this.pods, labels);

    const discovery = (t: ScrapeTarget | undefined): PodDiscovery | undefined => {
      if (!t) return undefined;
      t.allowMetricsScrape(this.pods);
      return { labelSelector: Object.entries(t.selectorLabels).map(([k, v]) => `${k}=${v}`).join(',') };
    };
    const alertmanagerName = `${name}-alertmanager`;
    const alertmanagerHost = namespace ? `${alertmanagerName}.${namespace}.svc` : alertmanagerName;
    this.config = renderPrometheusConfig({
      scrapeInterval,
      evaluationInterval: scrapeInterval,
      ruleFiles: ['/etc/prometheus/alerts.yml'],
      staticTargets: { prometheus: [`localhost:${Ports.prometheus}`] },
      kubernetesDiscovery: discoveryNamespaces.length
        ? {
            namespaces: discoveryNamespaces,
            gateway: discovery(props.targets?.gateway),
            redisExporters: discovery(props.targets?.redis),
            jaeger: discovery(props.targets?.tracing),
          }
        : undefined,
      alertmanagers: props.alertmanager ? [`${alertmanagerHost}:${Ports.alertmanager}`] : undefined,
    });

    const config = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels },
      data: { 'prometheus.yml': this.config, 'alerts.yml': alertRules },
    });
    const pvc = dataClaim(this, { name, labels, size: storageSize, storageClassName: props.storageClassName });

    // Pod discovery reads pods cluster-wide (or in the listed namespaces) through the API server.
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels },
      automountToken: true,
    });
    // Cluster-scoped names are shared by every namespace: prefix the namespace so two environments
    // in one cluster do not overwrite each other's role.
    const clusterName = namespace ? `${namespace}-${name}-discovery` : `${name}-discovery`;
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: clusterName, labels } });
    role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.ENDPOINTS);
    const binding = new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: clusterName, labels }, role });
    // The chart's namespace is stamped on every object; cluster-scoped ones must not carry it.
    for (const o of [role, binding]) ApiObject.of(o).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    binding.addSubjects(serviceAccount);

    const retentionSizeMiB = Math.floor(storageSize.toMebibytes() * 0.9);
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      podMetadata: { labels },
      select: false,
      replicas: 1,
      // The TSDB is locked by one process on a ReadWriteOnce volume.
      strategy: kplus.DeploymentStrategy.recreate(),
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPod(ImageUsers.prometheus),
      containers: [
        {
          name: 'prometheus',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [
            '--config.file=/etc/prometheus/prometheus.yml',
            '--storage.tsdb.path=/prometheus',
            `--storage.tsdb.retention.time=${Math.round(retention.toHours())}h`,
            `--storage.tsdb.retention.size=${retentionSizeMiB}MB`,
            '--web.console.libraries=/usr/share/prometheus/console_libraries',
            '--web.console.templates=/usr/share/prometheus/consoles',
          ],
          ports: [{ name: 'http', number: Ports.prometheus }],
          resources: computeResources({ cpu, memoryMiB: memory.toMebibytes() }),
          securityContext: restrictedContainer(ImageUsers.prometheus),
          ...httpProbes({ port: Ports.prometheus, live: '/-/healthy', ready: '/-/ready', startupFailures: 120 }),
        },
      ],
    });
    const c = deployment.containers[0]!;
    c.mount('/etc/prometheus', kplus.Volume.fromConfigMap(this, 'ConfigVolume', config, { name: 'config' }), { readOnly: true });
    c.mount('/prometheus', kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', pvc, { name: 'data' }));
    selectByLabels(deployment, selector);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, labels },
      ports: [{ name: 'http', port: Ports.prometheus, targetPort: Ports.prometheus }],
    });
    for (const [k, v] of Object.entries(selector)) this.service.selectLabel(k, v);

    if (props.alertmanager) this.alertmanagerService = this.addAlertmanager(alertmanagerName, props.alertmanager);
  }

  /** Let `peer` query Prometheus (Grafana; people use `kubectl port-forward`, which policies do not filter). */
  public allowQueriesFrom(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.prometheus);
  }

  private addAlertmanager(name: string, o: AlertmanagerOptions): kplus.Service {
    const image = o.image ?? Images.alertmanager;
    const amConfig = o.config ?? renderAlertmanagerYaml();
    if (!amConfig.trim()) throw new Error('PrometheusStack: alertmanager.config is empty; pass renderAlertmanagerYaml() from @llm-edge/alerts');
    const labels = componentLabels({ name: 'alertmanager', instance: name, component: 'alerting', version: imageTag(image) });
    const selector = selectorLabels({ name: 'alertmanager', instance: name });
    const config = new kplus.ConfigMap(this, 'AlertmanagerConfig', {
      metadata: { name: `${name}-config`, labels },
      data: { 'alertmanager.yml': amConfig },
    });
    const deployment = new kplus.Deployment(this, 'Alertmanager', {
      metadata: { name, labels },
      podMetadata: { labels },
      select: false,
      replicas: 1,
      securityContext: restrictedPod(ImageUsers.alertmanager),
      containers: [
        {
          name: 'alertmanager',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          // One replica: no gossip peers, so the cluster listener is off.
          args: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager', '--cluster.listen-address='],
          ports: [{ name: 'http', number: Ports.alertmanager }],
          resources: computeResources({ cpu: 0.2, memoryMiB: 256 }),
          securityContext: restrictedContainer(ImageUsers.alertmanager),
          liveness: kplus.Probe.fromHttpGet('/-/healthy', { port: Ports.alertmanager, periodSeconds: Duration.seconds(15) }),
          readiness: kplus.Probe.fromHttpGet('/-/ready', { port: Ports.alertmanager, periodSeconds: Duration.seconds(10) }),
        },
      ],
    });
    const c = deployment.containers[0]!;
    c.mount('/etc/alertmanager', kplus.Volume.fromConfigMap(this, 'AlertmanagerConfigVolume', config, { name: 'config' }), { readOnly: true });
    const secret = kplus.Secret.fromSecretName(this, 'AlertmanagerSecret', o.secretName ?? 'alertmanager-secrets');
    c.mount('/etc/alertmanager/secrets', kplus.Volume.fromSecret(this, 'AlertmanagerSecretVolume', secret, { name: 'secrets', optional: true }), { readOnly: true });
    // Silences and notification state; losing them on restart is acceptable for one replica.
    c.mount('/alertmanager', kplus.Volume.fromEmptyDir(this, 'AlertmanagerData', 'data', { sizeLimit: Size.mebibytes(256) }));
    selectByLabels(deployment, selector);

    const service = new kplus.Service(this, 'AlertmanagerService', {
      metadata: { name, labels },
      ports: [{ name: 'http', port: Ports.alertmanager, targetPort: Ports.alertmanager }],
    });
    for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);

    const policy = new kplus.NetworkPolicy(this, 'AlertmanagerNetworkPolicy', {
      metadata: { name, labels },
      selector: kplus.Pods.select(this, 'AlertmanagerPods', { labels: selector }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    policy.addIngressRule(this.pods, [kplus.NetworkPolicyPort.tcp(Ports.alertmanager)]);
    return service;
  }
}
