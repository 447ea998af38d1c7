/**
 * JaegerAllInOne: Jaeger v2 (`jaegertracing/jaeger`) in one pod, configured by one YAML file in a
 * ConfigMap: OTLP gRPC/HTTP in, Badger storage on a PVC with a span TTL, the query UI, a health
 * endpoint and its own metrics for Prometheus.
 */
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Ports } from '@llm-edge/semconv';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowFromAnywhere, allowTcp, ingressPolicy, type NetworkedComponent } from './network.js';
import { assertRatio, JAEGER_SAMPLING_PORT, renderJaegerConfig, renderSamplingStrategies } from './jaeger-config.js';
import { computeResources } from './resources.js';
import { restrictedContainer, restrictedPod, selectByLabels } from './security.js';
import { httpProbes } from './probes.js';
import { dataClaim } from './storage.js';

export interface JaegerAllInOneProps {
  /** @default 'jaeger' */
  readonly name?: string;
  /**
   * How long spans are kept.
   * @default Duration.days(7)
   */
  readonly spanTtl?: Duration;
  /**
   * Fraction of traces sampled (served as the default remote sampling strategy, and used by
   * EdgeAgent for `OTEL_TRACES_SAMPLER_ARG`).
   * @default 0.1
   */
  readonly samplingRatio?: number;
  /** @default Size.gibibytes(20) */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** CPU limit in cores (the request is half). @default 1 */
  readonly cpu?: number;
  /** Memory limit. @default Size.gibibytes(2) */
  readonly memory?: Size;
  /** @default Images.jaeger */
  readonly image?: string;
}

export class JaegerAllInOne extends Construct implements NetworkedComponent {
  public readonly name: string;
  public readonly service: kplus.Service;
  /** Base URL of the OTLP/HTTP receiver (what `OTEL_EXPORTER_OTLP_ENDPOINT` takes). */
  public readonly otlpHttpEndpoint: string;
  /** `host:port` of the OTLP/gRPC receiver. */
  public readonly otlpGrpcEndpoint: string;
  /** URL of the query UI. */
  public readonly uiUrl: string;
  public readonly samplingRatio: number;
  public readonly pods: kplus.Pods;
  public readonly networkPolicy: kplus.NetworkPolicy;
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: JaegerAllInOneProps = {}) {
    super(scope, id);
    const name = props.name ?? 'jaeger';
    const spanTtl = props.spanTtl ?? Duration.days(7);
    const samplingRatio = props.samplingRatio ?? 0.1;
    const storageSize = props.storageSize ?? Size.gibibytes(20);
    const cpu = props.cpu ?? 1;
    const memory = props.memory ?? Size.gibibytes(2);
    const image = props.image ?? Images.jaeger;
    assertRatio('JaegerAllInOne: samplingRatio', samplingRatio);
    if (spanTtl.toSeconds() < 3600) throw new Error(`JaegerAllInOne: spanTtl must be at least 1 hour; got ${spanTtl.toSeconds()}s`);
    if (!(cpu > 0)) throw new Error(`JaegerAllInOne: cpu must be > 0; got ${cpu}`);

    const namespace = Chart.of(this).namespace;
    const host = namespace ? `${name}.${namespace}.svc` : name;
    const labels = componentLabels({ name: 'jaeger', instance: name, component: 'tracing', version: imageTag(image) });
    const selector = selectorLabels({ name: 'jaeger', instance: name });
    this.name = name;
    this.samplingRatio = samplingRatio;
    this.selectorLabels = selector;
    this.otlpHttpEndpoint = `http://${host}:${Ports.otlpHttp}`;
    this.otlpGrpcEndpoint = `${host}:${Ports.otlpGrpc}`;
    this.uiUrl = `http://${host}:${Ports.jaegerUi}`;

    const config = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels },
      data: {
        'config.yaml': renderJaegerConfig({
          dataDir: '/badger',
          spanTtl: `${Math.round(spanTtl.toSeconds() / 3600)}h`,
          samplingStrategiesFile: '/etc/jaeger/sampling.json',
        }),
        'sampling.json': renderSamplingStrategies(samplingRatio),
      },
    });
    const pvc = dataClaim(this, { name, labels, size: storageSize, storageClassName: props.storageClassName });

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      podMetadata: {
        labels,
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(Ports.jaegerMetrics), 'prometheus.io/path': '/metrics' },
      },
      select: false,
      replicas: 1,
      // Badger is a single-writer store on a ReadWriteOnce volume: never two pods at once.
      strategy: kplus.DeploymentStrategy.recreate(),
      securityContext: restrictedPod(ImageUsers.jaeger),
      containers: [
        {
          name: 'jaeger',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: ['--config', '/etc/jaeger/config.yaml'],
          ports: [
            { name: 'ui', number: Ports.jaegerUi },
            { name: 'otlp-grpc', number: Ports.otlpGrpc },
            { name: 'otlp-http', number: Ports.otlpHttp },
            { name: 'health', number: Ports.jaegerHealth },
            { name: 'metrics', number: Ports.jaegerMetrics },
            { name: 'sampling', number: JAEGER_SAMPLING_PORT },
          ],
          resources: computeResources({ cpu, memoryMiB: memory.toMebibytes() }),
          securityContext: restrictedContainer(ImageUsers.jaeger),
          ...httpProbes({ port: Ports.jaegerHealth, live: '/status', startupFailures: 60 }),
        },
      ],
    });
    const c = deployment.containers[0]!;
    c.mount('/etc/jaeger', kplus.Volume.fromConfigMap(this, 'ConfigVolume', config, { name: 'config' }), { readOnly: true });
    c.mount('/badger', kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', pvc, { name: 'data' }));
    c.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }));
    selectByLabels(deployment, selector);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, labels },
      ports: [
        { name: 'ui', port: Ports.jaegerUi, targetPort: Ports.jaegerUi },
        { name: 'otlp-grpc', port: Ports.otlpGrpc, targetPort: Ports.otlpGrpc },
        { name: 'otlp-http', port: Ports.otlpHttp, targetPort: Ports.otlpHttp },
        { name: 'sampling', port: JAEGER_SAMPLING_PORT, targetPort: JAEGER_SAMPLING_PORT },
      ],
    });
    for (const [k, v] of Object.entries(selector)) this.service.selectLabel(k, v);

    this.pods = kplus.Pods.select(this, 'Pods', { labels: selector });
    this.networkPolicy = ingressPolicy(this, name, this.pods, labels);
    // The UI is for people (port-forward, an Ingress); spans come only from wired senders.
    allowFromAnywhere(this, this, Ports.jaegerUi);
  }

  /** Let `peer` send spans (OTLP gRPC and HTTP) and fetch sampling strategies. */
  public allowSpansFrom(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.otlpGrpc, Ports.otlpHttp, JAEGER_SAMPLING_PORT);
  }

  /** Let `peer` scrape Jaeger's own metrics. */
  public allowMetricsScrape(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.jaegerMetrics);
  }
}
