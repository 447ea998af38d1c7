import { Size } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EdgeAgent, type EdgeAgentProps } from './edge-agent.js';
import { JaegerAllInOne } from './jaeger-all-in-one.js';
import { RedisCluster } from './redis-cluster.js';
import { env, ingressFlows, one, synth } from '../test/helpers.js';

describe('EdgeAgent', () => {
  it('defaults: image, ports, probes, config file, secrets, HPA, PDB, scrape annotations', () => {
    const m = synth((c) => new EdgeAgent(c, 'Gateway'));
    const d = one(m, 'Deployment', 'llm-edge-agent');
    const pod = d.spec.template;
    const c = pod.spec.containers[0];
    expect(c.image).toBe('ghcr.io/llm-edge-agent/gateway:0.1.0');
    expect(d.spec.replicas).toBeUndefined(); // the autoscaler owns it
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'llm-edge-agent', 'app.kubernetes.io/instance': 'llm-edge-agent' });
    expect(pod.metadata.labels).not.toHaveProperty('cdk8s.io/metadata.addr');
    expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics' });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health', port: 8080 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 8080 });
    // preStop 5 s + drain delay 5 s + shutdown timeout 25 s + 10 s to close and flush
    expect(pod.spec.terminationGracePeriodSeconds).toBe(45);
    expect(env(c, 'LLM_EDGE_WORKERS').value).toBe('2');
    // Half of the 2 GiB for V8's heap, shared by the two workers.
    expect(env(c, 'NODE_OPTIONS').value).toBe('--max-old-space-size=512');
    expect(() => synth((ch) => new EdgeAgent(ch, 'Gateway', { cpu: 2, workers: 3 }))).toThrow(/workers must be a whole number from 1 to cpu/);
    const longer = synth((c) => new EdgeAgent(c, 'Gateway', { config: { server: { drainDelayMs: 0, shutdownTimeoutMs: 60_000 } } }));
    expect(one(longer, 'Deployment', 'llm-edge-agent').spec.template.spec.terminationGracePeriodSeconds).toBe(75);
    expect(env(c, 'LLM_EDGE_CONFIG').value).toBe('/etc/llm-edge/config.yaml');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ mountPath: '/etc/llm-edge', name: 'config', readOnly: true }]));
    expect(pod.spec.volumes.find((v: any) => v.name === 'config').projected.sources).toEqual([
      { configMap: { name: 'llm-edge-agent-config', items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
    ]);
    expect(env(c, 'LLM_EDGE_ADMIN_KEY')).toBeUndefined();
    expect(parse(one(m, 'ConfigMap', 'llm-edge-agent-config').data['config.yaml'])).toEqual({ cache: { ttlSeconds: 3600 } });
    expect(env(c, 'OPENAI_API_KEY').valueFrom.secretKeyRef).toEqual({ name: 'llm-edge-secrets', key: 'openai-api-key', optional: true });
    expect(env(c, 'ANTHROPIC_API_KEY').valueFrom.secretKeyRef.key).toBe('anthropic-api-key');
    expect(env(c, 'LLM_EDGE_API_KEYS').valueFrom.secretKeyRef).toMatchObject({ key: 'client-api-keys', optional: true });
    expect(env(c, 'REDIS_CLUSTER_NODES')).toBeUndefined();
    expect(env(c, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBeUndefined();
    const svc = one(m, 'Service', 'llm-edge-agent');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http', 8080], ['metrics', 9090]]);
    expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
    const hpa = one(m, 'HorizontalPodAutoscaler', 'llm-edge-agent');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'llm-edge-agent' } });
    expect(one(m, 'PodDisruptionBudget', 'llm-edge-agent').spec.minAvailable).toBe(1);
    expect(ingressFlows(one(m, 'NetworkPolicy', 'llm-edge-agent'))).toEqual(['0.0.0.0/0:8080', 'all-namespaces:8080']);
  });

  it('wires REDIS_CLUSTER_NODES, the OTLP endpoint and sampling from the constructs, and opens their policies', () => {
    const m = synth((c) => {
      const redis = new RedisCluster(c, 'Redis', { nodes: 3, replicasPerMaster: 1 });
      const tracing = new JaegerAllInOne(c, 'Jaeger', { samplingRatio: 0.25 });
      new EdgeAgent(c, 'Gateway', { redis, tracing });
    }, 'llm-edge-production');
    const c = one(m, 'Deployment', 'llm-edge-agent').spec.template.spec.containers[0];
    const nodes = env(c, 'REDIS_CLUSTER_NODES').value.split(',');
    expect(nodes).toHaveLength(6);
    expect(nodes[0]).toBe('redis-0.redis-headless.llm-edge-production.svc.cluster.local:6379');
    expect(env(c, 'OTEL_EXPORTER_OTLP_ENDPOINT').value).toBe('http://jaeger.llm-edge-production.svc:4318');
    expect(env(c, 'OTEL_TRACES_SAMPLER_ARG').value).toBe('0.25');
    expect(ingressFlows(one(m, 'NetworkPolicy', 'redis'))).toContain('llm-edge-agent:6379');
    expect(ingressFlows(one(m, 'NetworkPolicy', 'jaeger'))).toEqual(expect.arrayContaining(['llm-edge-agent:4317', 'llm-edge-agent:4318']));
  });

  it('passes a Redis password from its Secret, never as a value', () => {
    const m = synth((c) => {
      const redis = new RedisCluster(c, 'Redis', { passwordSecret: { name: 'redis-auth', key: 'password' } });
      new EdgeAgent(c, 'Gateway', { redis });
    });
    const c = one(m, 'Deployment', 'llm-edge-agent').spec.template.spec.containers[0];
    expect(env(c, 'REDIS_PASSWORD')).toEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
  });

  it('gives each worker its share of half the memory as V8 heap, and refuses a share too small to run in', () => {
    const heap = (props: EdgeAgentProps) => env(one(synth((c) => new EdgeAgent(c, 'Gateway', props)), 'Deployment', 'llm-edge-agent').spec.template.spec.containers[0], 'NODE_OPTIONS').value;
    expect(heap({ cpu: 1 })).toBe('--max-old-space-size=1024');
    expect(heap({ cpu: 3, memory: Size.mebibytes(3000) })).toBe('--max-old-space-size=500');
    // A NODE_OPTIONS of one's own wins (env is applied last).
    expect(heap({ env: { NODE_OPTIONS: '--max-old-space-size=900' } })).toBe('--max-old-space-size=900');
    expect(() => synth((c) => new EdgeAgent(c, 'Gateway', { cpu: 4, memory: Size.mebibytes(1000) }))).toThrow(
      /memory \(1000Mi\) leaves each of the 4 workers 125Mi of heap; give it at least 128Mi each \(memory >= 1024Mi\)/,
    );
  });

  it('every prop', () => {
    const m = synth((c) => new EdgeAgent(c, 'Gateway', {
      name: 'edge', image: 'registry.example.com/edge', tag: '1.2.3', replicas: 3, maxReplicas: 12, targetCpuUtilization: 60,
      cpu: 4, memory: Size.gibibytes(4), config: { routes: [{ model: 'gpt-4o' }] }, secretName: 'edge-keys', logLevel: 'warn',
      env: { OPENAI_BASE_URL: 'http://vllm:8000/v1' },
    }));
    const d = one(m, 'Deployment', 'edge');
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/edge:1.2.3');
    // One core requested per worker: four workers on a four-core limit.
    expect(c.resources).toEqual({ limits: { cpu: '4000m', memory: '4096Mi' }, requests: { cpu: '4000m', memory: '2048Mi' } });
    expect(env(c, 'LLM_EDGE_WORKERS').value).toBe('4');
    expect(env(c, 'NODE_OPTIONS').value).toBe('--max-old-space-size=512');
    expect(env(c, 'OPENAI_API_KEY').valueFrom.secretKeyRef.name).toBe('edge-keys');
    expect(env(c, 'LOG_LEVEL').value).toBe('warn');
    expect(env(c, 'OTEL_SERVICE_NAME').value).toBe('edge');
    expect(env(c, 'OPENAI_BASE_URL').value).toBe('http://vllm:8000/v1');
    expect(parse(one(m, 'ConfigMap', 'edge-config').data['config.yaml'])).toEqual({ routes: [{ model: 'gpt-4o' }] });
    const hpa = one(m, 'HorizontalPodAutoscaler', 'edge');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(60);
    expect(one(m, 'PodDisruptionBudget', 'edge').spec.minAvailable).toBe(2);
  });

  describe('keys and teams', () => {
    const props: EdgeAgentProps = {
      teams: [{ id: 'platform', budget: { usd: 100, period: 'month' } }, { id: 'research' }],
      keys: [
        {
          id: 'ci-bot',
          secret: { name: 'gateway-keys', key: 'ci-bot' },
          team: 'platform',
          models: ['gpt-4o-mini', 'claude-*'],
          limits: { requestsPerMinute: 600, tokensPerMinute: 200_000 },
          budget: { usd: 5, period: 'day' },
        },
        { id: 'notebook', secret: { name: 'gateway-keys', key: 'notebook' }, team: 'research' },
        { id: 'partner', secret: { name: 'partner-key', key: 'sha256' }, budget: { usd: 250, period: 'total' } },
      ],
      adminKeySecret: { name: 'gateway-admin', key: 'admin-key' },
    };

    it('renders them into auth.keys (keyFile, no key) and auth.teams of the config file', () => {
      // GIVEN two teams and three keys in two Secrets
      // WHEN the chart is synthesized
      const m = synth((c) => new EdgeAgent(c, 'Gateway', { ...props, config: { cache: { ttlSeconds: 60 } } }));
      // THEN the config file names each key's file, and keeps the rest of the config prop
      const configMap = one(m, 'ConfigMap', 'llm-edge-agent-config');
      expect(parse(configMap.data['config.yaml'])).toEqual({
        cache: { ttlSeconds: 60 },
        auth: {
          keys: [
            {
              id: 'ci-bot', keyFile: '/etc/llm-edge/keys/ci-bot', limits: { requestsPerMinute: 600, tokensPerMinute: 200000 },
              team: 'platform', models: ['gpt-4o-mini', 'claude-*'], budget: { usd: 5, period: 'day' },
            },
            { id: 'notebook', keyFile: '/etc/llm-edge/keys/notebook', team: 'research' },
            { id: 'partner', keyFile: '/etc/llm-edge/keys/partner', budget: { usd: 250, period: 'total' } },
          ],
          teams: [{ id: 'platform', budget: { usd: 100, period: 'month' } }, { id: 'research' }],
        },
      });
      // AND nothing secret is in it: no key, no digest, no Secret data
      expect(configMap.data['config.yaml']).not.toMatch(/\bkey:|sha256:[0-9a-f]|secret/i);
      expect(m.filter((o) => o.kind === 'Secret')).toEqual([]);
    });

    it("mounts each key's Secret beside the config file in one projected volume at the config directory", () => {
      const m = synth((c) => new EdgeAgent(c, 'Gateway', props));
      const pod = one(m, 'Deployment', 'llm-edge-agent').spec.template.spec;
      const c = pod.containers[0];
      // THEN the directory is mounted (no subPath, so the kubelet's ..data swap reaches the pod)
      const mounts = c.volumeMounts.filter((v: any) => v.mountPath.startsWith('/etc/llm-edge'));
      expect(mounts).toEqual([{ mountPath: '/etc/llm-edge', name: 'config', readOnly: true }]);
      expect(c.volumeMounts.some((v: any) => 'subPath' in v || 'subPathExpr' in v)).toBe(false);
      // AND each Secret appears once, with only the keys named, at keys/<id>
      expect(pod.volumes.find((v: any) => v.name === 'config')).toEqual({
        name: 'config',
        projected: {
          sources: [
            { configMap: { name: 'llm-edge-agent-config', items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
            { secret: { name: 'gateway-keys', items: [{ key: 'ci-bot', path: 'keys/ci-bot' }, { key: 'notebook', path: 'keys/notebook' }] } },
            { secret: { name: 'partner-key', items: [{ key: 'sha256', path: 'keys/partner' }] } },
          ],
        },
      });
      // AND the admin API's key comes from its Secret
      expect(env(c, 'LLM_EDGE_ADMIN_KEY')).toEqual({ name: 'LLM_EDGE_ADMIN_KEY', valueFrom: { secretKeyRef: { name: 'gateway-admin', key: 'admin-key' } } });
    });

    it('changes only the ConfigMap when a budget changes, so the gateway reloads instead of restarting', () => {
      // GIVEN the same agent with a raised team budget
      const raised = { ...props, teams: [{ id: 'platform', budget: { usd: 500, period: 'month' as const } }, { id: 'research' }] };
      // WHEN both are synthesized
      const before = synth((c) => new EdgeAgent(c, 'Gateway', props));
      const after = synth((c) => new EdgeAgent(c, 'Gateway', raised));
      // THEN the Deployment (its pod template: no config checksum) is the same, and the ConfigMap is not
      expect(one(after, 'Deployment', 'llm-edge-agent')).toEqual(one(before, 'Deployment', 'llm-edge-agent'));
      expect(one(after, 'ConfigMap', 'llm-edge-agent-config')).not.toEqual(one(before, 'ConfigMap', 'llm-edge-agent-config'));
    });

    const key = (over: object = {}) => ({ id: 'k', secret: { name: 'keys', key: 'k' }, ...over });
    it.each([
      [{ keys: [key(), key()] }, /keys\[1\]\.id "k" appears twice/],
      [{ teams: [{ id: 't' }, { id: 't' }] }, /teams\[1\]\.id "t" appears twice/],
      [{ keys: [key({ team: 'nobody' })] }, /keys\[0\]\.team "nobody" is not an id of teams/],
      [{ keys: [key({ budget: { usd: 0, period: 'day' } })] }, /keys\[0\]\.budget\.usd must be a number of US dollars greater than 0/],
      [{ teams: [{ id: 't', budget: { usd: -5, period: 'month' } }] }, /teams\[0\]\.budget\.usd/],
      [{ teams: [{ id: 't', budget: { usd: 5, period: 'week' } }] }, /teams\[0\]\.budget\.period must be one of day, month, total/],
      [{ keys: [key({ secret: { name: '', key: 'k' } })] }, /keys\[0\]\.secret\.name must name a Secret/],
      [{ keys: [key({ secret: { name: 'keys' } })] }, /keys\[0\]\.secret\.key must be a key of Secret "keys"/],
      [{ keys: [{ id: 'k' }] }, /keys\[0\]\.secret\.name/],
      [{ keys: [key({ id: '../etc' })] }, /keys\[0\]\.id must be 1-63 letters/],
      [{ keys: [key({ limits: { requestsPerMinute: 0 } })] }, /keys\[0\]\.limits\.requestsPerMinute must be an integer > 0/],
      [{ keys: [key({ models: [] })] }, /keys\[0\]\.models must list at least one/],
      [{ keys: [key()], config: { auth: { keys: [] } } }, /either as the keys\/teams props or in config\.auth/],
      [{ adminKeySecret: { name: 'admin', key: '' } }, /adminKeySecret\.key must be a key of Secret "admin"/],
    ])('rejects %o, naming the prop', (bad, message) => {
      expect(() => synth((c) => new EdgeAgent(c, 'Gateway', bad as EdgeAgentProps))).toThrow(message);
    });
  });

  it.each([
    [{ tag: 'latest' }, /tag must pin a release/],
    [{ replicas: 0 }, /replicas must be an integer >= 1/],
    [{ replicas: 4, maxReplicas: 3 }, /maxReplicas \(3\) must be an integer >= replicas \(4\)/],
    [{ targetCpuUtilization: 120 }, /targetCpuUtilization must be in/],
    [{ env: { OPENAI_API_KEY: 'sk-123' } }, /env.OPENAI_API_KEY looks like a secret/],
  ])('rejects %o', (props, message) => {
    expect(() => synth((c) => new EdgeAgent(c, 'Gateway', props))).toThrow(message);
  });
});
