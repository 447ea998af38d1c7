/**
 * Synthesizes everything under one output folder: `k8s/<env>/` (one file per chart plus a
 * kustomization.yaml) for each environment, and `compose/` for the single-host stack.
 * Old output is removed first, so a deleted resource disappears from dist/ too.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { stringify } from 'yaml';
import { environments } from './environments.js';
import { buildPlatform } from './platform.js';
import { renderComposeConfigs } from './compose.js';

export function synthesize(outdir: string): void {
  rmSync(join(outdir, 'k8s'), { recursive: true, force: true });
  rmSync(join(outdir, 'compose'), { recursive: true, force: true });

  for (const env of environments) {
    const envDir = join(outdir, 'k8s', env.name);
    const app = new App({ outdir: envDir, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildPlatform(app, env);
    app.synth();
    const resources = readdirSync(envDir).filter((f) => f.endsWith('.yaml')).sort();
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
    writeFileSync(join(envDir, 'kustomization.yaml'), '# Rendered by charts/ (the cdk8s app); do not edit by hand.\n' + stringify(kustomization));
  }

  const composeDir = join(outdir, 'compose');
  for (const [rel, content] of [...renderComposeConfigs()].sort(([a], [b]) => a.localeCompare(b))) {
    const file = join(composeDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
  }
}
