/** Rewrites the README's generated telemetry section: `pnpm --filter @llm-edge/semconv docs`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replaceTelemetryDocs } from './docs.js';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
writeFileSync(readme, replaceTelemetryDocs(readFileSync(readme, 'utf8')));
process.stdout.write(`updated ${readme}\n`);
