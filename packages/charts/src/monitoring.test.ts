import { Duration, Size } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAlertmanagerYaml, renderAlertsYaml } from '@llm-edge/alerts';
import { renderDashboards } from '@llm-edge/dashboards';
import { EdgeAgent } from './edge-agent.js';
import { GrafanaStack } from './grafana-stack.js';
import { JaegerAllInOne } from './jaeger-all-in-one.js';
import { PrometheusStack } from './prometheus-stack.js';
import { RedisCluster } from './redis-cluster.js';
import { env, ingressFlows, one, synth } from '../test/helpers.js';

describe('PrometheusStack', () => {
  it('defaults: 15s, 30d, alerts.yml from @llm-edge/alerts, RBAC, PVC, no Alertmanager', () => {
    const m = synth((c) => new PrometheusStack(c, 'Prometheus'));
    const cm = one(m, 'ConfigMap', 'prometheus-config');
    expect(cm.data['alerts.yml']).toBe(renderAlertsYaml());
    const config = parse(cm.data['prometheus.yml']);
    expect(config.global).toEqual({ scrape_interval: '15s', evaluation_interval: '15s' });
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(config.alerting).toBeUndefined();
    const c = one(m, 'Deployment', 'prometheus').spec.template.spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=720h', '--storage.tsdb.retention.size=46080MB']));
    expect(one(m, 'PersistentVolumeClaim', 'prometheus-data').spec.resources.requests.storage).toBe('50Gi');
    const role = one(m, 'ClusterRole', 'test-prometheus-discovery');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules.flatMap((r: any) => r.resources)).toEqual(['pods', 'services', 'endpoints']);
    const binding = one(m, 'ClusterRoleBinding', 'test-prometheus-discovery');
    expect(binding.subjects).toEqual([expect.objectContaining({ kind: 'ServiceAccount', name: 'prometheus', namespace: 'test' })]);
    expect(one(m, 'Deployment', 'prometheus').spec.template.spec.serviceAccountName).toBe('prometheus');
    expect(m.filter((o) => o.metadata.name.includes('alertmanager'))).toEqual([]);
  });

  it('discovers the wired targets by their labels and opens their policies to itself', () => {
    const m = synth((c) => {
      const redis = new RedisCluster(c, 'Redis');
      const tracing = new JaegerAllInOne(c, 'Jaeger');
      const gateway = new EdgeAgent(c, 'Gateway', { redis, tracing });
      new PrometheusStack(c, 'Prometheus', { targets: { gateway, redis, tracing } });
    });
    const jobs = parse(one(m, 'ConfigMap', 'prometheus-config').data['prometheus.yml']).scrape_configs;
    expect(jobs.map((j: any) => j.job_name)).toEqual(['prometheus', 'llm-edge-agent', 'redis', 'jaeger', 'kubernetes-pods']);
    const gw = jobs.find((j: any) => j.job_name === 'llm-edge-agent');
    expect(gw.kubernetes_sd_configs[0]).toEqual({
      role: 'pod',
      namespaces: { names: ['test'] },
      selectors: [{ role: 'pod', label: 'app.kubernetes.io/name=llm-edge-agent,app.kubernetes.io/instance=llm-edge-agent' }],
    });
    expect(ingressFlows(one(m, 'NetworkPolicy', 'llm-edge-agent'))).toContain('prometheus:9090');
    expect(ingressFlows(one(m, 'NetworkPolicy', 'redis'))).toContain('prometheus:9121');
    expect(ingressFlows(one(m, 'NetworkPolicy', 'jaeger'))).toContain('prometheus:8888');
  });

  it('every prop, with Alertmanager and its rendered routing', () => {
    const m = synth((c) => new PrometheusStack(c, 'Prometheus', {
      name: 'prom', alertRules: 'groups: []\n', scrapeInterval: '30s', retention: Duration.days(90), storageSize: Size.gibibytes(200),
      storageClassName: 'standard', cpu: 2, memory: Size.gibibytes(4), discoveryNamespaces: ['a', 'b'],
      alertmanager: { secretName: 'am-secrets', image: 'prom/alertmanager:v0.27.0' }, image: 'prom/prometheus:v2.55.0',
    }));
    const cm = one(m, 'ConfigMap', 'prom-config');
    expect(cm.data['alerts.yml']).toBe('groups: []\n');
    const config = parse(cm.data['prometheus.yml']);
    expect(config.global.scrape_interval).toBe('30s');
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['prom-alertmanager.test.svc:9093']);
    expect(config.scrape_configs.find((j: any) => j.job_name === 'kubernetes-pods').kubernetes_sd_configs[0].namespaces.names).toEqual(['a', 'b']);
    const c = one(m, 'Deployment', 'prom').spec.template.spec.containers[0];
    expect(c.image).toBe('prom/prometheus:v2.55.0');
    expect(c.args).toContain('--storage.tsdb.retention.time=2160h');
    expect(c.resources.limits).toEqual({ cpu: '2000m', memory: '4096Mi' });
    expect(one(m, 'PersistentVolumeClaim', 'prom-data').spec).toMatchObject({ storageClassName: 'standard', resources: { requests: { storage: '200Gi' } } });
    expect(one(m, 'ConfigMap', 'prom-alertmanager-config').data['alertmanager.yml']).toBe(renderAlertmanagerYaml());
    const am = one(m, 'Deployment', 'prom-alertmanager').spec.template.spec;
    expect(am.volumes.find((v: any) => v.name === 'secrets').secret).toEqual({ secretName: 'am-secrets', optional: true });
    expect(one(m, 'Service', 'prom-alertmanager').spec.ports[0].port).toBe(9093);
    expect(ingressFlows(one(m, 'NetworkPolicy', 'prom-alertmanager'))).toEqual(['prom:9093']);
  });

  it.each([
    [{ alertRules: '  ' }, /alertRules is empty/],
    [{ retention: Duration.minutes(5) }, /retention must be at least 1h/],
    [{ storageSize: Size.mebibytes(100) }, /storageSize must be at least 1Gi/],
    [{ scrapeInterval: 'often' }, /scrapeInterval "often" is not a Prometheus duration/],
  ])('rejects %o', (props, message) => {
    expect(() => synth((c) => new PrometheusStack(c, 'Prometheus', props))).toThrow(message);
  });
});

describe('GrafanaStack', () => {
  it('defaults: datasource uid prometheus, the five dashboards, admin from grafana-secrets', () => {
    const m = synth((c) => new GrafanaStack(c, 'Grafana', { prometheus: new PrometheusStack(c, 'Prometheus') }));
    const prov = one(m, 'ConfigMap', 'grafana-provisioning');
    const ds = parse(prov.data['datasources.yml']).datasources[0];
    expect(ds).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus.test.svc:9090', isDefault: true });
    expect(parse(prov.data['dashboards.yml']).providers[0].options.path).toBe('/var/lib/grafana-dashboards');
    const dashboards = one(m, 'ConfigMap', 'grafana-dashboards').data;
    expect(Object.keys(dashboards).sort()).toEqual(renderDashboards().map((d) => d.fileName).sort());
    const c = one(m, 'Deployment', 'grafana').spec.template.spec.containers[0];
    expect(env(c, 'GF_SECURITY_ADMIN_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'grafana-secrets', key: 'admin-password' });
    expect(env(c, 'GF_SECURITY_ADMIN_USER').valueFrom.secretKeyRef).toMatchObject({ name: 'grafana-secrets', key: 'admin-user', optional: true });
    expect(ingressFlows(one(m, 'NetworkPolicy', 'prometheus'))).toEqual(['grafana:9090']);
    expect(ingressFlows(one(m, 'NetworkPolicy', 'grafana'))).toEqual(['0.0.0.0/0:3000', 'all-namespaces:3000']);
  });

  it('every prop', () => {
    const m = synth((c) => new GrafanaStack(c, 'Grafana', {
      name: 'dash', prometheus: new PrometheusStack(c, 'Prometheus'), dashboards: [{ uid: 'u', title: 'T', fileName: 'one.json', json: '{}' }],
      adminSecretName: 'dash-admin', adminPasswordKey: 'pw', storageSize: Size.gibibytes(20), storageClassName: 'gp3', cpu: 1, memory: Size.gibibytes(2),
      image: 'grafana/grafana:11.2.0',
    }));
    expect(one(m, 'ConfigMap', 'dash-dashboards').data).toEqual({ 'one.json': '{}' });
    const c = one(m, 'Deployment', 'dash').spec.template.spec.containers[0];
    expect(c.image).toBe('grafana/grafana:11.2.0');
    expect(env(c, 'GF_SECURITY_ADMIN_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'dash-admin', key: 'pw' });
    expect(one(m, 'PersistentVolumeClaim', 'dash-data').spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } });
  });

  it('rejects duplicate or odd dashboard file names', () => {
    const d = { uid: 'u', title: 'T', fileName: 'a.json', json: '{}' };
    expect(() => synth((c) => new GrafanaStack(c, 'G', { prometheus: new PrometheusStack(c, 'P'), dashboards: [d, d] }))).toThrow(/"a.json" is used twice/);
    expect(() => synth((c) => new GrafanaStack(c, 'G', { prometheus: new PrometheusStack(c, 'P'), dashboards: [{ ...d, fileName: '../x.json' }] }))).toThrow(/fileName "..\/x.json"/);
  });
});

describe('JaegerAllInOne', () => {
  it('defaults: v2 config with OTLP 4317/4318, UI 16686, health 13133, metrics 8888, Badger 7d, 10% sampling', () => {
    const m = synth((c) => new JaegerAllInOne(c, 'Jaeger'));
    const cm = one(m, 'ConfigMap', 'jaeger-config');
    const config = parse(cm.data['config.yaml']);
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
    expect(config.extensions.jaeger_query.http.endpoint).toBe('0.0.0.0:16686');
    expect(config.extensions.healthcheckv2.http.endpoint).toBe('0.0.0.0:13133');
    expect(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port).toBe(8888);
    expect(config.extensions.jaeger_storage.backends.badger_main.badger.ttl.spans).toBe('168h');
    expect(JSON.parse(cm.data['sampling.json']).default_strategy).toEqual({ type: 'probabilistic', param: 0.1 });
    const d = one(m, 'Deployment', 'jaeger');
    expect(d.spec.strategy.type).toBe('Recreate');
    expect(d.spec.template.spec.containers[0].image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(one(m, 'Service', 'jaeger').spec.ports.map((p: any) => p.port)).toEqual([16686, 4317, 4318, 5778]);
    expect(one(m, 'PersistentVolumeClaim', 'jaeger-data').spec.resources.requests.storage).toBe('20Gi');
  });

  it('every prop', () => {
    const m = synth((c) => new JaegerAllInOne(c, 'Jaeger', {
      name: 'traces', spanTtl: Duration.days(2), samplingRatio: 1, storageSize: Size.gibibytes(100), storageClassName: 'gp3',
      cpu: 2, memory: Size.gibibytes(4), image: 'jaegertracing/jaeger:2.3.0',
    }));
    const cm = one(m, 'ConfigMap', 'traces-config');
    expect(parse(cm.data['config.yaml']).extensions.jaeger_storage.backends.badger_main.badger.ttl.spans).toBe('48h');
    expect(JSON.parse(cm.data['sampling.json']).default_strategy.param).toBe(1);
    expect(one(m, 'Deployment', 'traces').spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '2000m', memory: '4096Mi' });
    expect(one(m, 'PersistentVolumeClaim', 'traces-data').spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '100Gi' } } });
  });

  it.each([
    [{ samplingRatio: 1.5 }, /samplingRatio must be between 0 and 1/],
    [{ spanTtl: Duration.minutes(10) }, /spanTtl must be at least 1 hour/],
  ])('rejects %o', (props, message) => {
    expect(() => synth((c) => new JaegerAllInOne(c, 'Jaeger', props))).toThrow(message);
  });
});
