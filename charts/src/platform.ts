/**
 * One environment's platform: the five constructs wired together, one chart (one file) per area,
 * numbered so `kubectl apply -f dir/` creates the namespace first.
 */
import { Chart, type App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EdgeAgent, GrafanaStack, JaegerAllInOne, PART_OF, PrometheusStack, RedisCluster } from '@llm-edge/charts';
import type { Environment } from './environments.js';

export const GATEWAY_CONFIG = { cache: { ttlSeconds: 3600 } } as const;

export function buildPlatform(app: App, env: Environment): void {
  const common = { namespace: env.namespace, disableResourceNameHashes: true };

  const ns = new Chart(app, '00-namespace', { disableResourceNameHashes: true });
  new kplus.k8s.KubeNamespace(ns, 'Namespace', {
    metadata: {
      name: env.namespace,
      labels: {
        'app.kubernetes.io/part-of': PART_OF,
        'app.kubernetes.io/managed-by': 'cdk8s',
        // Every pod of the stack meets the restricted Pod Security Standard; enforce it.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
      },
    },
  });
  // Nothing reaches a pod unless a component's own policy lets it in.
  new kplus.k8s.KubeNetworkPolicy(ns, 'DefaultDeny', {
    metadata: { name: 'default-deny-ingress', namespace: env.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' } },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });

  const redis = new RedisCluster(new Chart(app, '10-redis', common), 'Redis', env.redis);
  const tracing = new JaegerAllInOne(new Chart(app, '20-tracing', common), 'Jaeger', env.jaeger);
  const gatewayChart = new Chart(app, '40-gateway', common);
  const gateway = new EdgeAgent(gatewayChart, 'Gateway', {
    replicas: env.gateway.replicas,
    maxReplicas: env.gateway.maxReplicas,
    cpu: env.gateway.cpu,
    memory: env.gateway.memory,
    config: GATEWAY_CONFIG,
    logLevel: env.logLevel,
    redis,
    tracing,
  });
  const monitoring = new Chart(app, '30-monitoring', common);
  const prometheus = new PrometheusStack(monitoring, 'Prometheus', {
    ...env.prometheus,
    targets: { gateway, redis, tracing },
    ...(env.alertmanager ? { alertmanager: {} } : {}),
  });
  new GrafanaStack(monitoring, 'Grafana', { ...env.grafana, prometheus });
}
