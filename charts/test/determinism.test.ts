/**
 * Synthesis is deterministic and dist/ is fresh: two synths give identical bytes, the committed
 * dist/ equals a fresh synth (fails when someone forgets `pnpm synth`), and `cdk8s synth`
 * (cdk8s-cli with charts/cdk8s.yaml) writes the same files as `pnpm synth`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../src/synth.js';
import { distDir, listFiles, repoRoot } from './dist.js';

const temp = mkdtempSync(join(tmpdir(), 'llm-edge-synth-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function tree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function expectSameTree(actual: string, expected: string, hint: string): void {
  const a = tree(actual);
  const e = tree(expected);
  expect([...a.keys()], `file lists differ; ${hint}`).toEqual([...e.keys()]);
  const differing = [...e.keys()].filter((f) => a.get(f) !== e.get(f));
  expect(differing, `files differ; ${hint}`).toEqual([]);
}

describe('synthesis', () => {
  const first = join(temp, 'first');
  const second = join(temp, 'second');
  synthesize(first);
  synthesize(second);

  it('writes k8s/<env>/ with a kustomization for dev and production, and compose/', () => {
    const files = listFiles(first);
    for (const env of ['dev', 'production']) {
      expect(files).toContain(`k8s/${env}/kustomization.yaml`);
      expect(files).toContain(`k8s/${env}/00-namespace.yaml`);
    }
    for (const f of ['compose/prometheus/prometheus.yml', 'compose/prometheus/alerts.yml', 'compose/alertmanager/alertmanager.yml', 'compose/grafana/provisioning/datasources/prometheus.yml']) {
      expect(files).toContain(f);
    }
  });

  it('is byte-identical across runs', () => {
    expectSameTree(second, first, 'synthesis is not deterministic');
  });

  it('the committed dist/ equals a fresh synth', () => {
    expectSameTree(distDir, first, 'dist/ is stale: run `pnpm synth` and commit dist/');
  });

  it('cdk8s synth (cdk8s-cli, charts/cdk8s.yaml) gives the same output', () => {
    const out = join(temp, 'cli');
    const r = spawnSync(join(repoRoot, 'charts/node_modules/.bin/cdk8s'), ['synth', '--output', out], {
      cwd: join(repoRoot, 'charts'),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expectSameTree(out, first, 'cdk8s synth and pnpm synth differ');
  }, 150_000);
});
