/**
 * Prometheus's configuration as a pure function of its targets, shared by PrometheusStack
 * (Kubernetes discovery), the compose render (static targets) and end-to-end tests that point a
 * real Prometheus at a gateway on loopback.
 */
import { stringify } from 'yaml';
import { GATEWAY_JOB, REDIS_JOB } from '@llm-edge/semconv';

/** Job names; the gateway's comes from the telemetry contract. */
export const ScrapeJobs = {
  gateway: GATEWAY_JOB,
  redis: REDIS_JOB,
  jaeger: 'jaeger',
  prometheus: 'prometheus',
  pods: 'kubernetes-pods',
} as const;

/** One Kubernetes-discovered job: pods in `namespaces` matching a label selector. */
export interface PodDiscovery {
  /** Label selector in Prometheus's `selectors` syntax, e.g. `app.kubernetes.io/name=redis`. */
  readonly labelSelector: string;
}

export interface KubernetesDiscoveryOptions {
  /** Namespaces to discover pods in. */
  readonly namespaces: readonly string[];
  /** Gateway pods (job `llm-edge-agent`). */
  readonly gateway?: PodDiscovery;
  /** Redis pods whose exporter sidecars serve `redis_up` (job `redis`). */
  readonly redisExporters?: PodDiscovery;
  /** Jaeger pods (job `jaeger`). */
  readonly jaeger?: PodDiscovery;
  /**
   * Also scrape any other pod annotated `prometheus.io/scrape: "true"` (job `kubernetes-pods`).
   * @default true
   */
  readonly annotatedPods?: boolean;
}

export interface PrometheusConfigOptions {
  /** @default '15s' */
  readonly scrapeInterval?: string;
  /** @default '15s' */
  readonly evaluationInterval?: string;
  /** Rule files, as paths Prometheus resolves relative to its config file. */
  readonly ruleFiles: readonly string[];
  /** `host:port` targets scraped as they are. */
  readonly staticTargets?: {
    readonly gateway?: readonly string[];
    readonly redisExporters?: readonly string[];
    readonly jaeger?: readonly string[];
    readonly prometheus?: readonly string[];
  };
  /**
   * One redis exporter scraping several Redis nodes (the exporter's multi-target `/scrape`
   * endpoint): each node becomes its own `instance` in job `redis`.
   */
  readonly redisMultiTarget?: { readonly exporter: string; readonly nodes: readonly string[] };
  /** Pod discovery inside Kubernetes (needs the RBAC PrometheusStack creates). */
  readonly kubernetesDiscovery?: KubernetesDiscoveryOptions;
  /** Alertmanager `host:port`s. */
  readonly alertmanagers?: readonly string[];
  /** External labels added to every series and alert. */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

type ScrapeConfig = Record<string, unknown>;

/**
 * Renders `prometheus.yml`.
 * @example
 * renderPrometheusConfig({ ruleFiles: ['alerts.yml'], staticTargets: { gateway: ['127.0.0.1:9464'] } })
 */
export function renderPrometheusConfig(opts: PrometheusConfigOptions): string {
  const scrapeInterval = opts.scrapeInterval ?? '15s';
  const evaluationInterval = opts.evaluationInterval ?? '15s';
  for (const [field, value] of [['scrapeInterval', scrapeInterval], ['evaluationInterval', evaluationInterval]] as const) {
    if (!DURATION.test(value)) throw new Error(`renderPrometheusConfig: ${field} "${value}" is not a Prometheus duration (e.g. "15s")`);
  }
  const s = opts.staticTargets ?? {};
  for (const [field, targets] of Object.entries(s)) {
    for (const t of targets ?? []) {
      if (!/^[^\s:/]+:\d+$/.test(t)) throw new Error(`renderPrometheusConfig: staticTargets.${field} entry "${t}" must be host:port`);
    }
  }

  const scrapeConfigs: ScrapeConfig[] = [];
  const k = opts.kubernetesDiscovery;
  const staticJob = (job: string, targets: readonly string[] | undefined): void => {
    if (targets && targets.length > 0) scrapeConfigs.push({ job_name: job, static_configs: [{ targets: [...targets] }] });
  };

  staticJob(ScrapeJobs.prometheus, s.prometheus);
  staticJob(ScrapeJobs.gateway, s.gateway);
  if (k?.gateway) scrapeConfigs.push(podJob(ScrapeJobs.gateway, k.namespaces, k.gateway));
  staticJob(ScrapeJobs.redis, s.redisExporters);
  if (opts.redisMultiTarget) {
    scrapeConfigs.push({
      job_name: ScrapeJobs.redis,
      metrics_path: '/scrape',
      static_configs: [{ targets: opts.redisMultiTarget.nodes.map((n) => `redis://${n}`) }],
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: opts.redisMultiTarget.exporter },
      ],
    });
  }
  if (k?.redisExporters) scrapeConfigs.push(podJob(ScrapeJobs.redis, k.namespaces, k.redisExporters));
  staticJob(ScrapeJobs.jaeger, s.jaeger);
  if (k?.jaeger) scrapeConfigs.push(podJob(ScrapeJobs.jaeger, k.namespaces, k.jaeger));
  if (k && (k.annotatedPods ?? true)) scrapeConfigs.push(annotatedPodsJob(k));

  // Two jobs of one name would be a config error: merge their target sources instead.
  const merged = mergeJobs(scrapeConfigs);

  const config: Record<string, unknown> = {
    global: {
      scrape_interval: scrapeInterval,
      evaluation_interval: evaluationInterval,
      ...(opts.externalLabels ? { external_labels: { ...opts.externalLabels } } : {}),
    },
    rule_files: [...opts.ruleFiles],
  };
  if (opts.alertmanagers && opts.alertmanagers.length > 0) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: [...opts.alertmanagers] }] }] };
  }
  config.scrape_configs = merged;
  return '# Rendered by @llm-edge/charts renderPrometheusConfig; do not edit by hand.\n' + stringify(config, { lineWidth: 0 });
}

/** Pods matching a selector that carry `prometheus.io/scrape: "true"`, on their `prometheus.io/port`. */
function podJob(job: string, namespaces: readonly string[], d: PodDiscovery): ScrapeConfig {
  return {
    job_name: job,
    kubernetes_sd_configs: [
      { role: 'pod', namespaces: { names: [...namespaces] }, selectors: [{ role: 'pod', label: d.labelSelector }] },
    ],
    relabel_configs: annotationRelabels(),
  };
}

function annotatedPodsJob(k: KubernetesDiscoveryOptions): ScrapeConfig {
  const claimed = [k.gateway, k.redisExporters, k.jaeger].filter((d): d is PodDiscovery => d !== undefined);
  return {
    job_name: ScrapeJobs.pods,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [...k.namespaces] } }],
    relabel_configs: [
      // Pods that have their own job above are not scraped twice.
      ...claimed.map((d) => {
        const [key, value] = d.labelSelector.split('=');
        return {
          source_labels: [`__meta_kubernetes_pod_label_${sanitize(key ?? '')}`],
          regex: value ?? '',
          action: 'drop',
        };
      }),
      ...annotationRelabels(),
    ],
  };
}

function annotationRelabels(): Record<string, unknown>[] {
  return [
    { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
    { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
    {
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
      regex: '(.+)',
      target_label: '__metrics_path__',
    },
    {
      source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
      regex: '([^:]+)(?::\\d+)?;(\\d+)',
      replacement: '$1:$2',
      target_label: '__address__',
    },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  ];
}

/** Prometheus's meta label form of a Kubernetes label name. */
function sanitize(label: string): string {
  return label.replace(/[^a-zA-Z0-9_]/g, '_');
}

function mergeJobs(jobs: ScrapeConfig[]): ScrapeConfig[] {
  const byName = new Map<string, ScrapeConfig>();
  for (const job of jobs) {
    const name = job.job_name as string;
    const prev = byName.get(name);
    if (!prev) {
      byName.set(name, job);
      continue;
    }
    if (job.metrics_path !== prev.metrics_path || job.relabel_configs !== undefined || prev.relabel_configs !== undefined) {
      throw new Error(`renderPrometheusConfig: job "${name}" has both static targets and another target source; give only one`);
    }
    prev.static_configs = [...((prev.static_configs as unknown[]) ?? []), ...((job.static_configs as unknown[]) ?? [])];
  }
  return [...byName.values()];
}
