/**
 * Every object in dist/ against the Kubernetes OpenAPI schemas (kubernetes-models' per-kind
 * validate(): JSON Schema checks of types, required fields and enums), offline.
 */
import { describe, expect, it } from 'vitest';
import { distObjects } from './dist.js';

async function modelClass(apiVersion: string, kind: string): Promise<new (data: unknown) => { validate(): void }> {
  const mod = (await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  const cls = mod[kind];
  if (typeof cls !== 'function') throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
  return cls as new (data: unknown) => { validate(): void };
}

describe('dist/ against the Kubernetes schemas', () => {
  const objects = distObjects();

  it('has objects for both environments', () => {
    expect(new Set(objects.map((o) => o.env))).toEqual(new Set(['dev', 'production']));
  });

  it.each(objects.map((o) => [`${o.file} ${o.object.kind}/${o.object.metadata.name}`, o] as const))('%s is valid', async (_, o) => {
    const Model = await modelClass(o.object.apiVersion, o.object.kind);
    expect(() => new Model(o.object).validate()).not.toThrow();
  });

  it('the check is real: a broken object fails it', async () => {
    const deployment = objects.find((o) => o.object.kind === 'Deployment')!.object;
    const Model = await modelClass('apps/v1', 'Deployment');
    const broken = structuredClone(deployment);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => new Model(broken).validate()).toThrow(/containerPort must be integer/);
    const missing = structuredClone(deployment);
    delete missing.spec.selector;
    expect(() => new Model(missing).validate()).toThrow(/selector/);
  });
});
