import { Size } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { RedisCluster } from './redis-cluster.js';
import { env, ingressFlows, one, synth } from '../test/helpers.js';

describe('RedisCluster', () => {
  it('defaults: 3 masters in Parallel, headless service, config, exporter, PDB, soft anti-affinity', () => {
    // GIVEN / WHEN
    const m = synth((c) => new RedisCluster(c, 'Redis'));
    // THEN
    const sts = one(m, 'StatefulSet', 'redis');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('redis-headless');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    const [redis, exporter] = sts.spec.template.spec.containers;
    expect(redis.image).toBe('redis:7.4.2');
    expect(redis.resources.limits.memory).toBe('2048Mi');
    expect(exporter.image).toMatch(/^oliver006\/redis_exporter:v1\./);
    expect(sts.spec.template.metadata.annotations['prometheus.io/port']).toBe('9121');
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();

    const headless = one(m, 'Service', 'redis-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: any) => p.port)).toEqual([6379, 16379]);
    expect(one(m, 'Service', 'redis').spec.selector).toEqual(sts.spec.selector.matchLabels);

    const conf = one(m, 'ConfigMap', 'redis-config').data['redis.conf'] as string;
    for (const line of ['cluster-enabled yes', 'appendonly yes', 'appendfsync everysec', 'save 900 1 300 10 60 10000', 'maxmemory 1536mb', 'maxmemory-policy allkeys-lru', 'cluster-config-file /data/nodes.conf']) {
      expect(conf.split('\n')).toContain(line);
    }
    expect(one(m, 'PodDisruptionBudget', 'redis').spec.maxUnavailable).toBe(1);

    const job = one(m, 'Job', 'redis-cluster-bootstrap');
    const jc = job.spec.template.spec.containers[0];
    expect(env(jc, 'REDIS_NODES').value).toBe([0, 1, 2].map((i) => `redis-${i}.redis-headless.test.svc.cluster.local:6379`).join(' '));
    expect(env(jc, 'REDIS_REPLICAS').value).toBe('0');
    expect(env(redis, 'REDIS_PASSWORD')).toBeUndefined();
  });

  it('every prop: nodes, replicas, memory, maxMemory, cpu, storage, password, images, name', () => {
    const m = synth((c) => new RedisCluster(c, 'Redis', {
      name: 'cache', nodes: 4, replicasPerMaster: 1, memory: Size.gibibytes(4), maxMemory: Size.gibibytes(3), cpu: 2,
      storageSize: Size.gibibytes(33), storageClassName: 'fast-ssd', passwordSecret: { name: 'redis-auth', key: 'password' },
      image: 'redis:7.4.1', exporterImage: 'oliver006/redis_exporter:v1.61.0',
    }));
    const sts = one(m, 'StatefulSet', 'cache');
    expect(sts.spec.replicas).toBe(8);
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '33Gi' } } });
    const [redis, exporter] = sts.spec.template.spec.containers;
    expect(redis.image).toBe('redis:7.4.1');
    expect(exporter.image).toBe('oliver006/redis_exporter:v1.61.0');
    expect(redis.resources.limits).toEqual({ cpu: '2000m', memory: '4096Mi' });
    expect(redis.args).toEqual(expect.arrayContaining(['--requirepass', '$(REDIS_PASSWORD)', '--masterauth', '$(REDIS_PASSWORD)']));
    expect(env(redis, 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'redis-auth', key: 'password' });
    expect(env(exporter, 'REDIS_PASSWORD').valueFrom.secretKeyRef.name).toBe('redis-auth');
    expect(one(m, 'ConfigMap', 'cache-config').data['redis.conf']).toContain('maxmemory 3072mb');
    const jc = one(m, 'Job', 'cache-cluster-bootstrap').spec.template.spec.containers[0];
    expect(env(jc, 'REDIS_NODES').value.split(' ')).toHaveLength(8);
    expect(env(jc, 'REDIS_REPLICAS').value).toBe('1');
    expect(env(jc, 'REDISCLI_AUTH').valueFrom.secretKeyRef).toEqual({ name: 'redis-auth', key: 'password' });
    // No Secret object is created: the password stays in the existing Secret.
    expect(m.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('its NetworkPolicy lets only nodes (client + bus) and the bootstrap Job in', () => {
    const m = synth((c) => new RedisCluster(c, 'Redis'));
    expect(ingressFlows(one(m, 'NetworkPolicy', 'redis'))).toEqual(['redis-bootstrap:6379', 'redis:16379', 'redis:6379']);
  });

  it('the bootstrap script in the ConfigMap is the one the Job mounts', () => {
    const m = synth((c) => new RedisCluster(c, 'Redis'));
    const job = one(m, 'Job', 'redis-cluster-bootstrap');
    expect(job.spec.template.spec.volumes[0].configMap.name).toBe('redis-config');
    expect(one(m, 'ConfigMap', 'redis-config').data['bootstrap.sh']).toContain('redis-cli --cluster create');
  });

  it.each([
    [{ nodes: 2 }, /nodes must be an integer >= 3/],
    [{ nodes: 3.5 }, /nodes must be an integer >= 3/],
    [{ replicasPerMaster: -1 }, /replicasPerMaster must be an integer >= 0/],
    [{ memory: Size.gibibytes(1), maxMemory: Size.gibibytes(1) }, /maxMemory \(1024Mi\) must be below memory \(1024Mi\)/],
    [{ cpu: 0 }, /cpu must be > 0/],
    [{ image: 'redis' }, /image "redis" has no tag/],
  ])('rejects %o', (props, message) => {
    expect(() => synth((c) => new RedisCluster(c, 'Redis', props))).toThrow(message);
  });
});
