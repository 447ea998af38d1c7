/**
 * Entry point of the cdk8s app (`pnpm synth`, and `cdk8s synth` through cdk8s.yaml): writes the
 * repository's dist/, or CDK8S_OUTDIR when cdk8s-cli sets it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from './synth.js';

const outdir = process.env.CDK8S_OUTDIR
  ? resolve(process.env.CDK8S_OUTDIR)
  : resolve(fileURLToPath(new URL('../../dist', import.meta.url)));
synthesize(outdir);
console.log(`synthesized ${outdir}`);
