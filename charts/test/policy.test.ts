/**
 * Policy over everything in dist/k8s: the security and operability rules every manifest must
 * follow, checked on the synthesized YAML (what users apply), not on the constructs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distDir, distObjects, listFiles, podTemplates } from './dist.js';

const objects = distObjects();
const pods = podTemplates(objects);
const containers = pods.flatMap((p) =>
  [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c: any) => ({ where: `${p.where} container ${c.name}`, c, pod: p })),
);

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('policy: containers', () => {
  it('there are containers to check', () => expect(containers.length).toBeGreaterThan(10));

  it.each(containers.map((x) => [x.where, x] as const))('%s: requests, limits, probes, restricted security', (_, { c, pod }) => {
    for (const kind of ['requests', 'limits'] as const) {
      expect(c.resources?.[kind]?.cpu, `${kind}.cpu`).toBeDefined();
      expect(c.resources?.[kind]?.memory, `${kind}.memory`).toBeDefined();
    }
    // A Job's container runs to completion: its exit code is its health, so it has no probes.
    if (pod.kind !== 'Job') {
      expect(c.livenessProbe, 'livenessProbe').toBeDefined();
      expect(c.readinessProbe, 'readinessProbe').toBeDefined();
    }
    const sc = c.securityContext ?? {};
    const psc = pod.spec.securityContext ?? {};
    expect(sc.runAsNonRoot ?? psc.runAsNonRoot, 'runAsNonRoot').toBe(true);
    expect(sc.runAsUser ?? psc.runAsUser, 'runAsUser').toBeGreaterThan(0);
    expect(sc.readOnlyRootFilesystem, 'readOnlyRootFilesystem').toBe(true);
    expect(sc.allowPrivilegeEscalation, 'allowPrivilegeEscalation').toBe(false);
    expect(sc.privileged ?? false, 'privileged').toBe(false);
    expect(sc.capabilities?.drop, 'capabilities.drop').toContain('ALL');
    expect(sc.capabilities?.add ?? [], 'capabilities.add').toEqual([]);
    expect((sc.seccompProfile ?? psc.seccompProfile)?.type, 'seccompProfile').toBe('RuntimeDefault');
  });

  it.each(containers.map((x) => [x.where, x.c.image] as const))('%s: image %s is pinned', (_, image) => {
    expect(image).toMatch(/^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/);
    expect(image.split(':').pop()).not.toBe('latest');
  });
});

describe('policy: secrets', () => {
  it('no Secret objects: secrets are created by operators, never committed', () => {
    expect(objects.filter((o) => o.object.kind === 'Secret').map((o) => o.object.metadata.name)).toEqual([]);
  });

  it('no secret-looking env value is a literal', () => {
    const literal = containers.flatMap(({ where, c }) =>
      (c.env ?? []).filter((e: any) => /KEY|SECRET|PASSWORD|TOKEN|AUTH/i.test(e.name) && e.value !== undefined).map((e: any) => `${where} ${e.name}`),
    );
    expect(literal).toEqual([]);
  });

  it('no API key or private key appears anywhere in dist/', () => {
    const leaks: string[] = [];
    for (const file of listFiles(distDir)) {
      const text = readFileSync(join(distDir, file), 'utf8');
      for (const re of [/sk-[A-Za-z0-9_-]{16,}/, /sk-ant-[A-Za-z0-9_-]{8,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /xox[bap]-[A-Za-z0-9-]{10,}/, /hooks\.slack\.com\/services\/[A-Z0-9]/]) {
        if (re.test(text)) leaks.push(`${file}: ${re}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('policy: selectors and names', () => {
  it.each(objects.filter((o) => o.object.kind === 'Service').map((o) => [`${o.file} ${o.object.metadata.name}`, o] as const))(
    'Service %s selects a pod',
    (_, o) => {
      const selector = o.object.spec.selector ?? {};
      expect(Object.keys(selector).length, 'selector is empty').toBeGreaterThan(0);
      expect(pods.some((p) => p.namespace === o.object.metadata.namespace && matches(selector, p.labels))).toBe(true);
    },
  );

  it.each(objects.filter((o) => o.object.kind === 'NetworkPolicy').map((o) => [`${o.file} ${o.object.metadata.name}`, o] as const))(
    'NetworkPolicy %s selects something, and each peer selects a pod',
    (_, o) => {
      const inNs = pods.filter((p) => p.namespace === o.object.metadata.namespace);
      const selected = inNs.filter((p) => matches(o.object.spec.podSelector.matchLabels ?? {}, p.labels));
      expect(selected.length).toBeGreaterThan(0);
      for (const rule of o.object.spec.ingress ?? []) {
        for (const from of rule.from ?? []) {
          if (from.podSelector && !from.namespaceSelector) {
            expect(inNs.some((p) => matches(from.podSelector.matchLabels ?? {}, p.labels)), JSON.stringify(from)).toBe(true);
          }
        }
      }
    },
  );

  it('HorizontalPodAutoscalers and PodDisruptionBudgets point at real workloads', () => {
    for (const o of objects.filter((x) => x.object.kind === 'HorizontalPodAutoscaler')) {
      const ref = o.object.spec.scaleTargetRef;
      expect(objects.some((x) => x.object.kind === ref.kind && x.object.metadata.name === ref.name && x.env === o.env)).toBe(true);
    }
    for (const o of objects.filter((x) => x.object.kind === 'PodDisruptionBudget')) {
      expect(pods.some((p) => p.namespace === o.object.metadata.namespace && matches(o.object.spec.selector.matchLabels, p.labels))).toBe(true);
    }
  });

  it('every ConfigMap and PVC a pod mounts exists in its namespace', () => {
    const missing: string[] = [];
    for (const p of pods) {
      for (const v of p.spec.volumes ?? []) {
        const ref = v.configMap ? ['ConfigMap', v.configMap.name] : v.persistentVolumeClaim ? ['PersistentVolumeClaim', v.persistentVolumeClaim.claimName] : undefined;
        if (ref && !objects.some((o) => o.object.kind === ref[0] && o.object.metadata.name === ref[1] && o.object.metadata.namespace === p.namespace)) {
          missing.push(`${p.where}: ${ref.join('/')}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('names are readable and stable (no hash suffixes) and every object carries the common labels', () => {
    for (const { object, file } of objects) {
      const where = `${file} ${object.kind}/${object.metadata.name}`;
      expect(object.metadata.name, where).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
      expect(object.metadata.name, where).not.toMatch(/-c8[0-9a-f]{6}$|-[0-9a-f]{8}$/);
      expect(object.metadata.labels?.['app.kubernetes.io/part-of'], where).toBe('llm-edge-agent');
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by'], where).toBe('cdk8s');
    }
    for (const p of pods) expect(JSON.stringify(p.labels), p.where).not.toContain('cdk8s.io/metadata.addr');
  });

  it('namespaced objects sit in their environment namespace; production is llm-edge-production', () => {
    const namespaces = new Set(objects.filter((o) => o.object.kind === 'Namespace').map((o) => `${o.env}:${o.object.metadata.name}`));
    expect(namespaces).toEqual(new Set(['dev:llm-edge-dev', 'production:llm-edge-production']));
    for (const { object, env, file } of objects) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)) {
        expect(object.metadata.namespace, file).toBeUndefined();
      } else {
        expect(object.metadata.namespace, `${file} ${object.kind}/${object.metadata.name}`).toBe(`llm-edge-${env}`);
      }
    }
  });

  it('the seed names users type: Services and Secrets', () => {
    for (const env of ['dev', 'production']) {
      const svc = (name: string) => objects.find((o) => o.env === env && o.object.kind === 'Service' && o.object.metadata.name === name)?.object;
      expect(svc('llm-edge-agent')?.spec.ports.map((p: any) => p.port)).toEqual([8080, 9090]);
      expect(svc('grafana')?.spec.ports.map((p: any) => p.port)).toEqual([3000]);
      expect(svc('prometheus')?.spec.ports.map((p: any) => p.port)).toEqual([9090]);
      expect(svc('jaeger')?.spec.ports.map((p: any) => p.port)).toEqual(expect.arrayContaining([16686, 4317, 4318]));
    }
    const secretRefs = new Set(containers.flatMap(({ c }) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name).filter(Boolean)));
    expect(secretRefs).toEqual(new Set(['llm-edge-secrets', 'grafana-secrets']));
  });

  it('production runs 3 gateway replicas at least', () => {
    const hpa = objects.find((o) => o.env === 'production' && o.object.kind === 'HorizontalPodAutoscaler')!.object;
    expect(hpa.spec.minReplicas).toBe(3);
  });
});
