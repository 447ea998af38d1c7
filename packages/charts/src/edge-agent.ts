/**
 * EdgeAgent: the gateway Deployment with its Service, HorizontalPodAutoscaler, PodDisruptionBudget
 * and config file, with virtual keys and teams (budgets) as props whose keys stay in Secrets.
 * Wired by object to a RedisCluster (`REDIS_CLUSTER_NODES`) and a JaegerAllInOne
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, sampling), opening their NetworkPolicies to itself.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { DEFAULT_GATEWAY_MEMORY_MIB, Ports, workerHeapMiB } from '@llm-edge/semconv';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowFromAnywhere, allowTcp, ingressPolicy, type NetworkedComponent } from './network.js';
import type { RedisCluster, SecretKeyRef } from './redis-cluster.js';
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

/** The directory the config volume is mounted at (a directory, never a subPath: see below). */
export const GATEWAY_CONFIG_DIR = '/etc/llm-edge';
/** Where the config file is mounted; `LLM_EDGE_CONFIG` points at it. */
export const GATEWAY_CONFIG_PATH = `${GATEWAY_CONFIG_DIR}/config.yaml`;
/** Where each key of `keys` is mounted from its Secret: `<dir>/<id>`, the key's `keyFile`. */
export const GATEWAY_KEYS_DIR = `${GATEWAY_CONFIG_DIR}/keys`;

/** A spend budget: US dollars per UTC day, per UTC month, or in total. */
export interface Budget {
  /** US dollars the period may spend; more than 0. */
  readonly usd: number;
  readonly period: 'day' | 'month' | 'total';
}

/** A virtual key of the gateway (`auth.keys[]`); the key itself stays in a Secret. */
export interface GatewayKey {
  /** The tenant: cache scope, limits, logs and the `id` label of the budget metrics (never the key). Letters, digits, `.`, `_`, `-`. */
  readonly id: string;
  /** The Secret key holding the key itself or its `sha256:<64 hex>` digest; mounted as `/etc/llm-edge/keys/<id>`. */
  readonly secret: SecretKeyRef;
  /** The team whose budget the key shares; an id of `teams`. @default - no team */
  readonly team?: string;
  /** Models the key may use (exact names or `*` globs); others are 403. @default - every model */
  readonly models?: readonly string[];
  /** Requests and tokens per minute, across replicas. @default - no limit */
  readonly limits?: { readonly requestsPerMinute?: number; readonly tokensPerMinute?: number };
  /** The key's own budget (its team's binds too). @default - no budget of its own */
  readonly budget?: Budget;
}

/** A team (`auth.teams[]`): a budget all its keys share. */
export interface GatewayTeam {
  /** Letters, digits, `.`, `_`, `-`; keys name it in `team`. */
  readonly id: string;
  /** @default - no budget (the team only groups keys) */
  readonly budget?: Budget;
}

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
  /** CPU limit per replica in cores. @default 2 */
  readonly cpu?: number;
  /**
   * Gateway workers per replica (`LLM_EDGE_WORKERS`: one Node process per core behind one port);
   * the CPU request is one core per worker, so each worker gets the core it is sized for.
   * @default the whole cores of `cpu` (at least 1)
   */
  readonly workers?: number;
  /**
   * Memory limit per replica. Half of it is V8's heap, split between the workers
   * (`NODE_OPTIONS=--max-old-space-size`): Node sizes its heap from the pod's limit as if it were
   * the only process, so without it N workers could each grow to the size meant for all of them.
   * @default Size.gibibytes(2)
   */
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
  /**
   * Virtual keys, rendered into the config file's `auth.keys` with `keyFile: /etc/llm-edge/keys/<id>`;
   * each key's Secret is mounted there, so neither the ConfigMap nor `dist/` holds a key. A change
   * of a budget or a limit changes only the ConfigMap: the gateway reloads the file, no restart.
   * @default [] (keys from `client-api-keys` in `secretName`, or none)
   */
  readonly keys?: readonly GatewayKey[];
  /** Teams, rendered into `auth.teams`. @default [] */
  readonly teams?: readonly GatewayTeam[];
  /** The admin API's bearer key (`LLM_EDGE_ADMIN_KEY`, on the metrics port). @default - no admin API */
  readonly adminKeySecret?: SecretKeyRef;
}

/** The least V8 heap a worker is given: the gateway's code and a small L1 fit, with room to work. */
export const MIN_WORKER_HEAP_MIB = 128;

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
    const workers = props.workers ?? Math.max(1, Math.floor(cpu));
    const memory = props.memory ?? Size.mebibytes(DEFAULT_GATEWAY_MEMORY_MIB);
    const baseConfig = props.config ?? { cache: { ttlSeconds: 3600 } };
    const secretName = props.secretName ?? 'llm-edge-secrets';
    const logLevel = props.logLevel ?? 'info';
    const keys = props.keys ?? [];
    const teams = props.teams ?? [];

    if (props.tag !== undefined && (props.tag === '' || props.tag === 'latest')) throw new Error(`EdgeAgent: tag must pin a release (got "${props.tag}")`);
    if (props.image?.includes(':') && !props.image.includes('/')) throw new Error(`EdgeAgent: image "${props.image}" must not carry a tag; use the tag prop`);
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`EdgeAgent: replicas must be an integer >= 1; got ${replicas}`);
    if (!Number.isInteger(maxReplicas) || maxReplicas < replicas) throw new Error(`EdgeAgent: maxReplicas (${maxReplicas}) must be an integer >= replicas (${replicas})`);
    if (!(targetCpu > 0 && targetCpu <= 100)) throw new Error(`EdgeAgent: targetCpuUtilization must be in (0, 100]; got ${targetCpu}`);
    if (!(cpu > 0)) throw new Error(`EdgeAgent: cpu must be > 0; got ${cpu}`);
    if (!Number.isInteger(workers) || workers < 1 || workers > cpu) throw new Error(`EdgeAgent: workers must be a whole number from 1 to cpu (${cpu}); got ${workers}`);
    for (const key of Object.keys(props.env ?? {})) {
      if (/KEY|SECRET|PASSWORD|TOKEN/i.test(key)) throw new Error(`EdgeAgent: env.${key} looks like a secret; put it in the Secret "${secretName}" instead`);
    }
    const heapMiB = workerHeapMiB(memory.toMebibytes(), workers);
    if (heapMiB < MIN_WORKER_HEAP_MIB) {
      throw new Error(`EdgeAgent: memory (${memory.toMebibytes()}Mi) leaves each of the ${workers} workers ${heapMiB}Mi of heap; give it at least ${MIN_WORKER_HEAP_MIB}Mi each (memory >= ${2 * MIN_WORKER_HEAP_MIB * workers}Mi)`);
    }
    checkAuth(keys, teams, baseConfig);
    if (props.adminKeySecret !== undefined) checkSecretRef('adminKeySecret', props.adminKeySecret);
    const config = keys.length + teams.length === 0 ? baseConfig : { ...baseConfig, auth: renderAuth(keys, teams) };

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
      LLM_EDGE_WORKERS: kplus.EnvValue.fromValue(String(workers)),
      // Every worker (cluster fork) inherits it: each gets its share of the heap.
      NODE_OPTIONS: kplus.EnvValue.fromValue(`--max-old-space-size=${heapMiB}`),
      LOG_LEVEL: kplus.EnvValue.fromValue(logLevel),
      OTEL_SERVICE_NAME: kplus.EnvValue.fromValue(name),
      OPENAI_API_KEY: kplus.EnvValue.fromSecretValue({ secret, key: 'openai-api-key' }, { optional: true }),
      ANTHROPIC_API_KEY: kplus.EnvValue.fromSecretValue({ secret, key: 'anthropic-api-key' }, { optional: true }),
      LLM_EDGE_API_KEYS: kplus.EnvValue.fromSecretValue({ secret, key: 'client-api-keys' }, { optional: true }),
    };
    if (props.adminKeySecret) {
      const admin = props.adminKeySecret.name === secretName ? secret : kplus.Secret.fromSecretName(this, 'AdminKeySecret', props.adminKeySecret.name);
      env.LLM_EDGE_ADMIN_KEY = kplus.EnvValue.fromSecretValue({ secret: admin, key: props.adminKeySecret.key });
    }
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
          resources: computeResources({ cpu, cpuRequest: workers, memoryMiB: memory.toMebibytes() }),
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
    // The directory, not a subPath: the kubelet updates a mounted ConfigMap (and Secret) by swapping
    // the directory's ..data symlink, which a subPath mount never sees. The gateway polls the file,
    // so a GitOps change of a budget or a limit is a reload, not a restart. One projected volume
    // puts the keys beside the config without a mount inside another (read-only) volume.
    c.mount(GATEWAY_CONFIG_DIR, configVolume(this, configMap, keys), { readOnly: true });
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

/** cdk8s-plus-28 has no projected volume; its Volume renders whatever source its constructor is given. */
const VolumeWithSource = kplus.Volume as unknown as new (scope: Construct, id: string, name: string, source: Omit<kplus.k8s.Volume, 'name'>) => kplus.Volume;

/** `config.yaml` from the ConfigMap, and `keys/<id>` from each key's Secret (one source per Secret). */
function configVolume(scope: Construct, configMap: kplus.ConfigMap, keys: readonly GatewayKey[]): kplus.Volume {
  const bySecret = new Map<string, { key: string; path: string }[]>();
  for (const k of keys) {
    const items = bySecret.get(k.secret.name) ?? [];
    items.push({ key: k.secret.key, path: `keys/${k.id}` });
    bySecret.set(k.secret.name, items);
  }
  const sources: kplus.k8s.VolumeProjection[] = [
    { configMap: { name: configMap.name, items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
    ...[...bySecret].map(([name, items]) => ({ secret: { name, items } })),
  ];
  return new VolumeWithSource(scope, 'ConfigVolume', 'config', { projected: { sources } });
}

/** `auth` of the config file: keys by file, teams as given; fields in the gateway schema's order. */
function renderAuth(keys: readonly GatewayKey[], teams: readonly GatewayTeam[]): Record<string, unknown> {
  return {
    keys: keys.map((k) => ({
      id: k.id,
      keyFile: `${GATEWAY_KEYS_DIR}/${k.id}`,
      ...(k.limits !== undefined ? { limits: { ...k.limits } } : {}),
      ...(k.team !== undefined ? { team: k.team } : {}),
      ...(k.models !== undefined ? { models: [...k.models] } : {}),
      ...(k.budget !== undefined ? { budget: { usd: k.budget.usd, period: k.budget.period } } : {}),
    })),
    teams: teams.map((t) => ({ id: t.id, ...(t.budget !== undefined ? { budget: { usd: t.budget.usd, period: t.budget.period } } : {}) })),
  };
}

// A file name and a bounded label value: what `keys/<id>` and the budget metrics' `id` need.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// A Secret's name (DNS subdomain) and a key of its data.
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const PERIODS: readonly string[] = ['day', 'month', 'total'];

function checkSecretRef(field: string, ref: SecretKeyRef | undefined): void {
  if (ref === undefined || typeof ref.name !== 'string' || !SECRET_NAME.test(ref.name)) {
    throw new Error(`EdgeAgent: ${field}.name must name a Secret (a DNS subdomain name); got ${JSON.stringify(ref?.name)}`);
  }
  if (typeof ref.key !== 'string' || !SECRET_KEY.test(ref.key)) {
    throw new Error(`EdgeAgent: ${field}.key must be a key of Secret "${ref.name}" (letters, digits, '-', '_', '.'); got ${JSON.stringify(ref.key)}`);
  }
}

function checkBudget(field: string, budget: Budget | undefined): void {
  if (budget === undefined) return;
  if (typeof budget.usd !== 'number' || !Number.isFinite(budget.usd) || budget.usd <= 0) {
    throw new Error(`EdgeAgent: ${field}.usd must be a number of US dollars greater than 0; got ${JSON.stringify(budget.usd)}`);
  }
  if (!PERIODS.includes(budget.period)) throw new Error(`EdgeAgent: ${field}.period must be one of ${PERIODS.join(', ')}; got ${JSON.stringify(budget.period)}`);
}

function checkIds(field: string, items: readonly { readonly id: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (typeof item.id !== 'string' || !ID.test(item.id)) {
      throw new Error(`EdgeAgent: ${field}[${i}].id must be 1-63 letters, digits, '.', '_' or '-' (it names a file and a metric label); got ${JSON.stringify(item.id)}`);
    }
    if (seen.has(item.id)) throw new Error(`EdgeAgent: ${field}[${i}].id "${item.id}" appears twice`);
    seen.add(item.id);
  });
}

/** Errors name the prop, as the gateway's own validation names the config field. */
function checkAuth(keys: readonly GatewayKey[], teams: readonly GatewayTeam[], config: Readonly<Record<string, unknown>>): void {
  if (keys.length + teams.length > 0 && config.auth !== undefined) {
    throw new Error('EdgeAgent: give keys and teams either as the keys/teams props or in config.auth, not both');
  }
  checkIds('teams', teams);
  teams.forEach((t, i) => checkBudget(`teams[${i}].budget`, t.budget));
  checkIds('keys', keys);
  const teamIds = new Set(teams.map((t) => t.id));
  keys.forEach((k, i) => {
    checkSecretRef(`keys[${i}].secret`, k.secret);
    if (k.team !== undefined && !teamIds.has(k.team)) throw new Error(`EdgeAgent: keys[${i}].team "${k.team}" is not an id of teams`);
    checkBudget(`keys[${i}].budget`, k.budget);
    for (const field of ['requestsPerMinute', 'tokensPerMinute'] as const) {
      const v = k.limits?.[field];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`EdgeAgent: keys[${i}].limits.${field} must be an integer > 0; got ${JSON.stringify(v)}`);
    }
    if (k.models !== undefined && (k.models.length === 0 || k.models.some((m) => typeof m !== 'string' || m === ''))) {
      throw new Error(`EdgeAgent: keys[${i}].models must list at least one model name or glob (leave it out for every model)`);
    }
  });
}
