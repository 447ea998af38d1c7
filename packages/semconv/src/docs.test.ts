import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allMetrics, LogField, Span } from './index.js';
import { renderTelemetryDocs, replaceTelemetryDocs } from './docs.js';

describe('README telemetry section', () => {
  it('documents every metric, span and log field', () => {
    const docs = renderTelemetryDocs();
    for (const m of allMetrics) expect(docs).toContain(`\`${m.name}\``);
    for (const s of Object.values(Span)) expect(docs).toContain(`\`${s}\``);
    for (const f of Object.values(LogField)) expect(docs).toContain(`\`${f.key}\``);
  });

  it('is up to date in the README (run `pnpm --filter @llm-edge/semconv docs` after a contract change)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    expect(replaceTelemetryDocs(readme)).toBe(readme);
  });
});
