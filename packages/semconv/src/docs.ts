/**
 * Renders the telemetry contract as Markdown for the README, so the documented metrics, spans
 * and log fields are the emitted ones by construction. `pnpm --filter @llm-edge/semconv docs`
 * rewrites the README section between the markers; a test fails when it is stale.
 */
import { allMetrics } from './metrics.js';
import { LogField } from './logs.js';
import { Attr, Span, SpanEvent, SpanParent, type SpanName } from './traces.js';

export const DOCS_BEGIN = '<!-- telemetry-contract:begin (generated from packages/semconv; do not edit) -->';
export const DOCS_END = '<!-- telemetry-contract:end -->';

function metricsTable(): string {
  const rows = allMetrics.map((m) => {
    const labels = m.labels.length ? m.labels.map((l) => `\`${l}\``).join(', ') : '—';
    const buckets = m.buckets ? ` Buckets: ${m.buckets.join(', ')}.` : '';
    return `| \`${m.name}\` | ${m.type} | ${labels} | ${m.help}${buckets} |`;
  });
  return ['| metric | type | labels | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function spanTree(): string {
  const names = Object.values(Span) as SpanName[];
  const lines: string[] = [];
  const walk = (name: SpanName, depth: number) => {
    lines.push(`${'  '.repeat(depth)}- \`${name}\``);
    for (const child of names.filter((n) => SpanParent[n] === name)) walk(child, depth + 1);
  };
  walk(Span.request, 0);
  return lines.join('\n');
}

function attributesList(): string {
  return Object.values(Attr)
    .map((key) => `\`${key}\``)
    .join(', ');
}

function logTable(): string {
  const rows = Object.values(LogField).map((f) => `| \`${f.key}\` | ${f.doc} |`);
  return ['| field | meaning |', '| --- | --- |', ...rows].join('\n');
}

export function renderTelemetryDocs(): string {
  return [
    DOCS_BEGIN,
    '',
    '#### Metrics',
    '',
    'Served on `METRICS_PORT` at `/metrics`, next to prom-client\'s default process and Node.js metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, ...).',
    '',
    metricsTable(),
    '',
    '#### Spans',
    '',
    'One trace per request (`provider_request` once per attempt):',
    '',
    spanTree(),
    '',
    `Attributes: ${attributesList()}.`,
    '',
    `Resilience decisions are events on the \`provider_request\` span that follows them: ${Object.values(SpanEvent).map((e) => `\`${e}\``).join(', ')}.`,
    '',
    '#### Access log fields',
    '',
    'One JSON line per request (pino) on stdout, with `level`, `time`, `service` and `msg: "request"`. Lines leave in writes of up to 4 KiB, at most 250 ms after they were logged; what is buffered at exit is written before the process ends:',
    '',
    logTable(),
    '',
    DOCS_END,
  ].join('\n');
}

/** Replaces the generated section of a document; throws when the markers are missing. */
export function replaceTelemetryDocs(document: string): string {
  const begin = document.indexOf(DOCS_BEGIN);
  const end = document.indexOf(DOCS_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`README markers not found: ${DOCS_BEGIN} ... ${DOCS_END}`);
  return document.slice(0, begin) + renderTelemetryDocs() + document.slice(end + DOCS_END.length);
}
