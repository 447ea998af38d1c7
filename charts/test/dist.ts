/** Reads the synthesized output: every Kubernetes object of dist/k8s/<env>/, and file trees. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const distDir = join(repoRoot, 'dist');

export interface DistObject {
  file: string;
  env: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Every object in dist/k8s (kustomization.yaml excluded: it is not a cluster object). */
export function distObjects(root = distDir): DistObject[] {
  const k8sDir = join(root, 'k8s');
  const objects: DistObject[] = [];
  for (const env of readdirSync(k8sDir).sort()) {
    for (const file of readdirSync(join(k8sDir, env)).sort()) {
      if (!file.endsWith('.yaml') || file === 'kustomization.yaml') continue;
      const text = readFileSync(join(k8sDir, env, file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) throw new Error(`${env}/${file}: ${doc.errors[0]!.message}`);
        const object = doc.toJSON();
        if (object) objects.push({ file: `${env}/${file}`, env, object });
      }
    }
  }
  return objects;
}

/** Pod templates of workloads, with where they came from. */
export function podTemplates(objects: DistObject[]): { where: string; namespace: string | undefined; labels: Record<string, string>; spec: any; kind: string }[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.object.kind))
    .map((o) => ({
      where: `${o.file} ${o.object.kind}/${o.object.metadata.name}`,
      namespace: o.object.metadata.namespace,
      labels: o.object.spec.template.metadata?.labels ?? {},
      spec: o.object.spec.template.spec,
      kind: o.object.kind,
    }));
}
