/**
 * EdgeAgent: the gateway Deployment with its Service, HorizontalPodAutoscaler, PodDisruptionBudget
 * and config file. Wired by object to a RedisCluster (`REDIS_CLUSTER_NODES`) and a JaegerAllInOne
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, sampling), opening their NetworkPolicies to itself.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Ports } from '@llm-edge/semconv';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowFromAnywhere, allowTcp, ingressPolicy, type NetworkedComponent } from './network.js';
import type { RedisCluster } from './redis-cluster.js';
import type { JaegerAllInOne } from './jaeger-all-in-one.js';
import { assertRatio } from './jaeger-config.js';
import { computeResources } from './resources.js';
import { restrictedContainer, restrictedPod, selectByLabels } from './security.js';

/** The preStop sleep: endpoints drop the pod before SIGTERM starts the drain. */
export const PRE_STOP_SECONDS = 5;
/** The gateway's own defaults for `server.drainDelayMs` and `server.shutdownTimeoutMs`. */
export const GATEWAY_DRAIN_DEFAULTS = { drainDelayMs: 5_000, shutdownTimeoutMs: 25_000 } as const;
/** Time left, after the gateway's drain, to close connections and flush logs before SIGKILL. */
const CLOSE_MARGIN_SECONDS = 10;

/** Where the config file is mounted; `LLM_EDGE_CONFIG` points at it. */
export const GATEWAY_CONFIG_PATH = '/etc/llm-edge/config.yaml';

export interface EdgeAgentProps {
  /** @default 'llm-edge-agent' */
  readonly name?: string;
  /** @default 'ghcr.io/llm-edge-agent/gateway' */
  readonly image?: string;
  /** @default '0.1.0' */
  readonly tag?: string;
  /**
   * Replicas at rest; the autoscaler's minimum.
   * @default 2
   */
  readonly replicas?: number;
  /** The autoscaler's maximum. @default max(10, 3 * replicas) */
  readonly maxReplicas?: number;
  /** Average CPU utilisation the autoscaler aims for, in percent. @default 70 */
  readonly targetCpuUtilization?: number;
  /** CPU limit per replica in cores (the request is half). @default 2 */
  readonly cpu?: number;
  /** Memory limit per replica. @default Size.gibibytes(2) */
  readonly memory?: Size;
  /**
   * The gateway's config file, rendered to YAML as it is (the gateway validates it at start).
   * @default { cache: { ttlSeconds: 3600 } }
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Existing Secret with `openai-api-key`, `anthropic-api-key` and (optional) `client-api-keys`.
   * @default 'llm-edge-secrets'
   */
  readonly secretName?: string;
  /** The Redis cluster used as the L2 cache and for shared rate limits. @default - L1 cache only */
  readonly redis?: RedisCluster;
  /** Where spans go. @default - no exporter (tracing off) */
  readonly tracing?: JaegerAllInOne;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Extra environment (plain values only; secrets belong in `secretName`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

export class EdgeAgent extends Construct implements NetworkedComponent {
  public readonly name: string;
  public readonly service: kplus.Service;
  public readonly deployment: kplus.Deployment;
  /** The API port (OpenAI-compatible endpoints). */
  public readonly port: number = Ports.gateway;
  /** The metrics port (`/metrics`). */
  public readonly metricsPort: number = Ports.gatewayMetrics;
  public readonly pods: kplus.Pods;
  public readonly networkPolicy: kplus.NetworkPolicy;
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: EdgeAgentProps = {}) {
    super(scope, id);
    const name = props.name ?? 'llm-edge-agent';
    const [defaultRepo, defaultTag] = Images.gateway.split(/:(?=[^:]+$)/) as [string, string];
    const image = `${props.image ?? defaultRepo}:${props.tag ?? defaultTag}`;
    const replicas = props.replicas ?? 2;
    const maxReplicas = props.maxReplicas ?? Math.max(10, 3 * replicas);
    const targetCpu = props.targetCpuUtilization ?? 70;
    const cpu = props.cpu ?? 2;
    const memory = props.memory ?? Size.gibibytes(2);
    const config = props.config ?? { cache: { ttlSeconds: 3600 } };
    const secretName = props.secretName ?? 'llm-edge-secrets';
    const logLevel = props.logLevel ?? 'info';

    if (props.tag !== undefined && (props.tag === '' || props.tag === 'latest')) throw new Error(`EdgeAgent: tag must pin a release (got "${props.tag}")`);
    if (props.image?.includes(':') && !props.image.includes('/')) throw new Error(`EdgeAgent: image "${props.image}" must not carry a tag; use the tag prop`);
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`EdgeAgent: replicas must be an integer >= 1; got ${replicas}`);
    if (!Number.isInteger(maxReplicas) || maxReplicas < replicas) throw new Error(`EdgeAgent: maxReplicas (${maxReplicas}) must be an integer >= replicas (${replicas})`);
    if (!(targetCpu > 0 && targetCpu <= 100)) throw new Error(`EdgeAgent: targetCpuUtilization must be in (0, 100]; got ${targetCpu}`);
    if (!(cpu > 0)) throw new Error(`EdgeAgent: cpu must be > 0; got ${cpu}`);
    for (const key of Object.keys(props.env ?? {})) {
      if (/KEY|SECRET|PASSWORD|TOKEN/i.test(key)) throw new Error(`EdgeAgent: env.${key} looks like a secret; put it in the Secret "${secretName}" instead`);
    }

    const labels = componentLabels({ name: 'llm-edge-agent', instance: name, component: 'gateway', version: imageTag(image) });
    const selector = selectorLabels({ name: 'llm-edge-agent', instance: name });
    this.name = name;
    this.selectorLabels = selector;

    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels },
      data: { 'config.yaml': '# Rendered by @llm-edge/charts EdgeAgent from its config prop.\n' + stringify(config, { lineWidth: 0 }) },
    });

    const secret = kplus.Secret.fromSecretName(this, 'Secret', secretName);
    const env: Record<string, kplus.EnvValue> = {
      PORT: kplus.EnvValue.fromValue(String(Ports.gateway)),
      HOST: kplus.EnvValue.fromValue('0.0.0.0'),
      METRICS_PORT: kplus.EnvValue.fromValue(String(Ports.gatewayMetrics)),
      LLM_EDGE_CONFIG: kplus.EnvValue.fromValue(GATEWAY_CONFIG_PATH),
      LOG_LEVEL: kplus.EnvValue.fromValue(logLevel),
      OTEL_SERVICE_NAME: kplus.EnvValue.fromValue(name),
      OPENAI_API_KEY: kplus.EnvValue.fromSecretValue({ secret, key: 'openai-api-key' }, { optional: true }),
      ANTHROPIC_API_KEY: kplus.EnvValue.fromSecretValue({ secret, key: 'anthropic-api-key' }, { optional: true }),
      LLM_EDGE_API_KEYS: kplus.EnvValue.fromSecretValue({ secret, key: 'client-api-keys' }, { optional: true }),
    };
    if (props.redis) {
      env.REDIS_CLUSTER_NODES = kplus.EnvValue.fromValue(props.redis.nodeAddresses.join(','));
      if (props.redis.passwordSecret) {
        const rs = kplus.Secret.fromSecretName(this, 'RedisSecret', props.redis.passwordSecret.name);
        env.REDIS_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: rs, key: props.redis.passwordSecret.key });
      }
    }
    if (props.tracing) {
      env.OTEL_EXPORTER_OTLP_ENDPOINT = kplus.EnvValue.fromValue(props.tracing.otlpHttpEndpoint);
      assertRatio('EdgeAgent: tracing.samplingRatio', props.tracing.samplingRatio);
      env.OTEL_TRACES_SAMPLER_ARG = kplus.EnvValue.fromValue(String(props.tracing.samplingRatio));
    }
    for (const [k, v] of Object.entries(props.env ?? {})) env[k] = kplus.EnvValue.fromValue(v);

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      podMetadata: {
        labels,
        annotations: {
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(Ports.gatewayMetrics),
          'prometheus.io/path': '/metrics',
        },
      },
      select: false,
      // No replicas here: the autoscaler owns the count (a fixed value would fight it on every apply).
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      // SIGTERM drains in-flight requests (streams included) before the process exits; the
      // kubelet must not SIGKILL it mid-drain or mid-close.
      terminationGracePeriod: Duration.seconds(terminationGraceSeconds(config)),
      securityContext: restrictedPod(ImageUsers.gateway),
      containers: [
        {
          name: 'gateway',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [
            { name: 'http', number: Ports.gateway },
            { name: 'metrics', number: Ports.gatewayMetrics },
          ],
          envVariables: env,
          resources: computeResources({ cpu, memoryMiB: memory.toMebibytes() }),
          securityContext: restrictedContainer(ImageUsers.gateway),
          startup: kplus.Probe.fromHttpGet('/health', { port: Ports.gateway, periodSeconds: Duration.seconds(2), failureThreshold: 30 }),
          liveness: kplus.Probe.fromHttpGet('/health', { port: Ports.gateway, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
          readiness: kplus.Probe.fromHttpGet('/ready', { port: Ports.gateway, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
          // Give endpoints time to drop the pod before SIGTERM starts the drain.
          lifecycle: { preStop: kplus.Handler.fromCommand(['node', '-e', `setTimeout(() => {}, ${PRE_STOP_SECONDS * 1000})`]) },
        },
      ],
    });
    const c = this.deployment.containers[0]!;
    c.mount('/etc/llm-edge', kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'config' }), { readOnly: true });
    c.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }));
    selectByLabels(this.deployment, selector);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, labels },
      ports: [
        { name: 'http', port: Ports.gateway, targetPort: Ports.gateway },
        { name: 'metrics', port: Ports.gatewayMetrics, targetPort: Ports.gatewayMetrics },
      ],
    });
    for (const [k, v] of Object.entries(selector)) this.service.selectLabel(k, v);

    new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { name, labels },
      target: this.deployment,
      minReplicas: replicas,
      maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(targetCpu))],
    });

    new kplus.k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name, labels },
      spec: {
        // One replica: allow its eviction (a drain must not hang); more: keep all but one serving.
        ...(replicas > 1 ? { minAvailable: kplus.k8s.IntOrString.fromNumber(replicas - 1) } : { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1) }),
        selector: { matchLabels: selector },
      },
    });

    this.pods = kplus.Pods.select(this, 'Pods', { labels: selector });
    this.networkPolicy = ingressPolicy(this, name, this.pods, labels);
    // Clients reach the API from anywhere the Service is exposed to.
    allowFromAnywhere(this, this, Ports.gateway);
    props.redis?.allowClient(this.pods);
    props.tracing?.allowSpansFrom(this.pods);
  }

  /** Let `peer` scrape `/metrics`. */
  public allowMetricsScrape(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.gatewayMetrics);
  }
}

/**
 * The pod's grace period: the preStop sleep, then the gateway's drain delay and shutdown timeout
 * (from the config prop, else the gateway's defaults), then a margin to close and flush.
 */
export function terminationGraceSeconds(config: Readonly<Record<string, unknown>>): number {
  const server = (config.server ?? {}) as { drainDelayMs?: unknown; shutdownTimeoutMs?: unknown };
  const ms = (v: unknown, fallback: number) => (typeof v === 'number' && v >= 0 ? v : fallback);
  const drainMs = ms(server.drainDelayMs, GATEWAY_DRAIN_DEFAULTS.drainDelayMs) + ms(server.shutdownTimeoutMs, GATEWAY_DRAIN_DEFAULTS.shutdownTimeoutMs);
  return PRE_STOP_SECONDS + Math.ceil(drainMs / 1000) + CLOSE_MARGIN_SECONDS;
}
