/** The reuse example in docs/operations.md runs as written and synthesizes a wired gateway. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './dist.js';

it('the docs example builds a cdk8s app with RedisCluster and EdgeAgent', () => {
  const doc = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
  const code = /<!-- The block below is run[^\n]*\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(code, 'example block not found').toBeDefined();
  // The example is plain TypeScript without type annotations, so Node runs it as a module; it
  // sits beside this test so `@llm-edge/charts` resolves from the app's dependencies.
  const file = join(repoRoot, 'charts/test', `.docs-example-${process.pid}.mjs`);
  const cwd = mkdtempSync(join(tmpdir(), 'docs-example-'));
  try {
    writeFileSync(file, code!);
    const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const objects = parseAllDocuments(readFileSync(join(cwd, 'dist/llm-gateway.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm-edge-agent');
    const env = Object.fromEntries(gateway.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REDIS_CLUSTER_NODES.split(',')).toHaveLength(6);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger.ai-platform.svc:4318');
    expect(env.OTEL_TRACES_SAMPLER_ARG).toBe('0.05');
    expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'password' } });
    expect(objects.find((o) => o.kind === 'StatefulSet').spec.replicas).toBe(6);
  } finally {
    rmSync(file, { force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
});
