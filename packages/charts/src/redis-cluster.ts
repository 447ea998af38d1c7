/**
 * RedisCluster: a Redis Cluster of `nodes` masters (and `replicasPerMaster` replicas each) as a
 * StatefulSet with one PVC per node, formed by an idempotent bootstrap Job, with a redis exporter
 * sidecar per node for `redis_up` and the other redis_* series.
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Ports } from '@llm-edge/semconv';
import { Images, ImageUsers } from './images.js';
import { componentLabels, imageTag, selectorLabels } from './labels.js';
import { allowTcp, ingressPolicy, type NetworkedComponent } from './network.js';
import { renderClusterBootstrapScript, renderRedisConf } from './redis-config.js';
import { computeResources, sizeQuantity, toKubeResources } from './resources.js';
import { restrictedContainer, restrictedContainerL1, dropAddressLabel } from './security.js';

/** A key of an existing Secret. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly name: string;
  /** The key inside it. */
  readonly key: string;
}

export interface RedisClusterProps {
  /**
   * Base name of every object (`<name>`, `<name>-headless`, `<name>-config`, ...).
   * @default 'redis'
   */
  readonly name?: string;
  /**
   * Number of masters. Redis Cluster needs at least 3.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * Replicas per master (1 for high availability: a replica takes over a failed master).
   * @default 0
   */
  readonly replicasPerMaster?: number;
  /**
   * Memory limit of each Redis container.
   * @default Size.gibibytes(2)
   */
  readonly memory?: Size;
  /**
   * Redis `maxmemory` per node; must leave room below `memory` for forks (AOF rewrite, RDB).
   * @default 75% of `memory`
   */
  readonly maxMemory?: Size;
  /**
   * CPU limit of each Redis container, in cores (the request is half).
   * @default 1
   */
  readonly cpu?: number;
  /**
   * Size of each node's persistent volume.
   * @default Size.gibibytes(10)
   */
  readonly storageSize?: Size;
  /**
   * StorageClass of the volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Require a password, read from this existing Secret key (never a literal in the manifests).
   * @default - no password; access is limited by the NetworkPolicy
   */
  readonly passwordSecret?: SecretKeyRef;
  /** @default Images.redis */
  readonly image?: string;
  /** @default Images.redisExporter */
  readonly exporterImage?: string;
}

export class RedisCluster extends Construct implements NetworkedComponent {
  /** Base name of the objects. */
  public readonly name: string;
  /** The headless Service that gives each node a stable DNS name. */
  public readonly headlessService: kplus.Service;
  /** The client Service (any node; cluster clients are redirected by slot). */
  public readonly service: kplus.Service;
  /** The Redis port. */
  public readonly port: number = Ports.redis;
  /** Stable `host:port` of every master and replica, for cluster clients' seed list. */
  public readonly nodeAddresses: readonly string[];
  /** The password Secret key, when one is required. */
  public readonly passwordSecret?: SecretKeyRef;
  public readonly pods: kplus.Pods;
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** Pod labels every Redis node carries (scrape discovery uses them). */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: RedisClusterProps = {}) {
    super(scope, id);
    const name = props.name ?? 'redis';
    const masters = props.nodes ?? 3;
    const replicasPerMaster = props.replicasPerMaster ?? 0;
    const memory = props.memory ?? Size.gibibytes(2);
    const maxMemory = props.maxMemory ?? Size.mebibytes(Math.floor(memory.toMebibytes() * 0.75));
    const cpu = props.cpu ?? 1;
    const storageSize = props.storageSize ?? Size.gibibytes(10);
    const image = props.image ?? Images.redis;
    const exporterImage = props.exporterImage ?? Images.redisExporter;

    if (!Number.isInteger(masters) || masters < 3) throw new Error(`RedisCluster: nodes must be an integer >= 3 (Redis Cluster needs three masters); got ${masters}`);
    if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) throw new Error(`RedisCluster: replicasPerMaster must be an integer >= 0; got ${replicasPerMaster}`);
    if (maxMemory.toMebibytes() >= memory.toMebibytes()) throw new Error(`RedisCluster: maxMemory (${maxMemory.toMebibytes()}Mi) must be below memory (${memory.toMebibytes()}Mi) to leave room for persistence forks`);
    if (!(cpu > 0)) throw new Error(`RedisCluster: cpu must be > 0; got ${cpu}`);
    if (storageSize.toMebibytes() <= 0) throw new Error('RedisCluster: storageSize must be > 0');

    const total = masters * (1 + replicasPerMaster);
    const namespace = Chart.of(this).namespace;
    const headlessName = `${name}-headless`;
    const domain = namespace ? `${headlessName}.${namespace}.svc.cluster.local` : headlessName;
    const labels = componentLabels({ name: 'redis', instance: name, component: 'cache', version: imageTag(image) });
    const selector = selectorLabels({ name: 'redis', instance: name });
    this.name = name;
    this.selectorLabels = selector;
    this.passwordSecret = props.passwordSecret;
    this.nodeAddresses = Array.from({ length: total }, (_, i) => `${name}-${i}.${domain}:${Ports.redis}`);

    const config = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels },
      data: {
        'redis.conf': renderRedisConf({ maxMemoryMiB: maxMemory.toMebibytes() }),
        'bootstrap.sh': renderClusterBootstrapScript(),
      },
    });

    this.headlessService = new kplus.Service(this, 'Headless', {
      metadata: { name: headlessName, labels },
      clusterIP: 'None',
      // Nodes must find each other by name before they are ready (the cluster is not formed yet).
      publishNotReadyAddresses: true,
      ports: [
        { name: 'redis', port: Ports.redis, targetPort: Ports.redis },
        { name: 'cluster-bus', port: Ports.redisBus, targetPort: Ports.redisBus },
      ],
    });
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, labels },
      ports: [{ name: 'redis', port: Ports.redis, targetPort: Ports.redis }],
    });
    for (const svc of [this.headlessService, this.service]) for (const [k, v] of Object.entries(selector)) svc.selectLabel(k, v);

    const passwordEnv = props.passwordSecret
      ? [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: props.passwordSecret.name, key: props.passwordSecret.key } } }]
      : [];
    const cliAuthEnv = props.passwordSecret
      ? [{ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: props.passwordSecret.name, key: props.passwordSecret.key } } }]
      : [];
    // $(VAR) is expanded by the kubelet, so the password never appears in the manifest.
    const authArgs = props.passwordSecret ? ['--requirepass', '$(REDIS_PASSWORD)', '--masterauth', '$(REDIS_PASSWORD)'] : [];
    const cliProbe = (cmd: string) => ({ exec: { command: ['sh', '-c', cmd] } });

    // L1 StatefulSet: cdk8s-plus-28's StatefulSet has no volumeClaimTemplates.
    new kplus.k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name, labels },
      spec: {
        serviceName: headlessName,
        replicas: total,
        // Nodes start together; the bootstrap Job, not start order, forms the cluster.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: {
            labels,
            annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(Ports.redisExporter), 'prometheus.io/path': '/metrics' },
          },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 30,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: ImageUsers.redis,
              runAsGroup: ImageUsers.redis,
              fsGroup: ImageUsers.redis,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              // Soft: spread nodes across hosts when there are enough, still schedule when not.
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
                ],
              },
            },
            containers: [
              {
                name: 'redis',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: ['redis-server'],
                args: [
                  '/etc/redis/redis.conf',
                  '--cluster-announce-hostname',
                  `$(POD_NAME).${domain}`,
                  ...authArgs,
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, ...passwordEnv, ...cliAuthEnv],
                ports: [
                  { name: 'redis', containerPort: Ports.redis },
                  { name: 'cluster-bus', containerPort: Ports.redisBus },
                ],
                resources: toKubeResources(computeResources({ cpu, memoryMiB: memory.toMebibytes() })),
                securityContext: restrictedContainerL1(ImageUsers.redis),
                volumeMounts: [
                  { name: 'data', mountPath: '/data' },
                  { name: 'config', mountPath: '/etc/redis', readOnly: true },
                ],
                startupProbe: { ...cliProbe('redis-cli ping | grep -q PONG'), periodSeconds: 5, failureThreshold: 60 },
                livenessProbe: { ...cliProbe('redis-cli ping | grep -q PONG'), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                // Ready once it answers; cluster state is the bootstrap Job's concern, and a node
                // must be reachable through the Service before the cluster can be formed.
                readinessProbe: { ...cliProbe('redis-cli ping | grep -q PONG'), periodSeconds: 5, timeoutSeconds: 3 },
              },
              {
                name: 'exporter',
                image: exporterImage,
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${Ports.redis}` },
                  { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `0.0.0.0:${Ports.redisExporter}` },
                  ...passwordEnv,
                ],
                ports: [{ name: 'metrics', containerPort: Ports.redisExporter }],
                resources: toKubeResources(computeResources({ cpu: 0.1, memoryMiB: 128, cpuRequest: 0.02, memoryRequestMiB: 32 })),
                securityContext: restrictedContainerL1(ImageUsers.redisExporter),
                livenessProbe: { httpGet: { path: '/health', port: kplus.k8s.IntOrString.fromNumber(Ports.redisExporter) }, periodSeconds: 15, timeoutSeconds: 5 },
                readinessProbe: { httpGet: { path: '/health', port: kplus.k8s.IntOrString.fromNumber(Ports.redisExporter) }, periodSeconds: 10, timeoutSeconds: 5 },
              },
            ],
            volumes: [{ name: 'config', configMap: { name: config.name, items: [{ key: 'redis.conf', path: 'redis.conf' }] } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: selector },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
              resources: { requests: { storage: sizeQuantity(storageSize) } },
            },
          },
        ],
      },
    });

    // One node may be down at a time (a restart, a drain), never more.
    new kplus.k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name, labels },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    const bootstrapLabels = componentLabels({ name: 'redis-bootstrap', instance: `${name}-bootstrap`, component: 'cache', version: imageTag(image) });
    const job = new kplus.Job(this, 'Bootstrap', {
      metadata: { name: `${name}-cluster-bootstrap`, labels: bootstrapLabels },
      podMetadata: { labels: bootstrapLabels },
      select: false,
      backoffLimit: 10,
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
      securityContext: { ensureNonRoot: true, user: ImageUsers.redis, group: ImageUsers.redis },
      containers: [
        {
          name: 'bootstrap',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['sh', '/bootstrap/bootstrap.sh'],
          envVariables: {
            REDIS_NODES: kplus.EnvValue.fromValue(this.nodeAddresses.join(' ')),
            REDIS_REPLICAS: kplus.EnvValue.fromValue(String(replicasPerMaster)),
            ...(props.passwordSecret
              ? { REDISCLI_AUTH: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, 'PasswordSecret', props.passwordSecret.name), key: props.passwordSecret.key }) }
              : {}),
          },
          resources: computeResources({ cpu: 0.1, memoryMiB: 64, cpuRequest: 0.02, memoryRequestMiB: 32 }),
          securityContext: restrictedContainer(ImageUsers.redis),
          // A one-shot Job has nothing to probe while it runs; its exit code is its health.
          volumeMounts: [],
        },
      ],
    });
    job.containers[0]!.mount('/bootstrap', kplus.Volume.fromConfigMap(this, 'BootstrapScript', config, { name: 'bootstrap', items: { 'bootstrap.sh': { path: 'bootstrap.sh' } } }), { readOnly: true });
    dropAddressLabel(job);

    this.pods = kplus.Pods.select(this, 'Pods', { labels: selector });
    this.networkPolicy = ingressPolicy(this, name, this.pods, labels);
    const bootstrapPods = kplus.Pods.select(this, 'BootstrapPods', { labels: selectorLabels({ name: 'redis-bootstrap', instance: `${name}-bootstrap` }) });
    // Nodes gossip with each other on the bus and replicate on the client port; the Job forms them.
    allowTcp(this, this.pods, Ports.redis, Ports.redisBus);
    allowTcp(this, bootstrapPods, Ports.redis);
  }

  /** Let `peer` use Redis (clients such as the gateway). */
  public allowClient(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.redis);
  }

  /** Let `peer` scrape the exporters. */
  public allowMetricsScrape(peer: kplus.INetworkPolicyPeer): void {
    allowTcp(this, peer, Ports.redisExporter);
  }
}
