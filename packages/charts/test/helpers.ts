/** Test helpers: synthesize a chart built by `build` and pick objects out of the manifest. */
import { Chart, Testing } from 'cdk8s';
import type { Construct } from 'constructs';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

export function synth(build: (chart: Construct) => void, namespace = 'test'): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test', { namespace, disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart) as K8sObject[];
}

export function one(manifest: K8sObject[], kind: string, name: string): K8sObject {
  const found = manifest.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}: ${manifest.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0]!;
}

export function env(container: any, name: string): any {
  return (container.env ?? []).find((e: any) => e.name === name);
}

/** Ingress rules of a NetworkPolicy as "fromLabelValue:port" strings, for readable assertions. */
export function ingressFlows(policy: K8sObject): string[] {
  const flows: string[] = [];
  for (const rule of policy.spec.ingress ?? []) {
    for (const from of rule.from ?? []) {
      const src = from.ipBlock ? from.ipBlock.cidr : from.namespaceSelector ? 'all-namespaces' : from.podSelector?.matchLabels?.['app.kubernetes.io/instance'] ?? 'all-pods';
      for (const p of rule.ports ?? []) flows.push(`${src}:${p.port}`);
    }
  }
  return flows.sort();
}
