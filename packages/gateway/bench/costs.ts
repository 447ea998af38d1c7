/**
 * What each feature costs a request: L1 hits (no upstream, so only the gateway's own work) on
 * fresh gateways with one feature turned off at a time, then with all of them off. The CPU a
 * variant saves per request against "every feature on" is that feature's cost; what remains
 * with all of them off is the fixed cost of Hono, reading and validating the body, the cache
 * key and lookup, metrics and writing the answer. Next to the ceiling's CPU per request, this
 * is the "why" behind a missed throughput target, in microseconds.
 */
import type { GatewayOptions } from './gateway-proc.js';
import type { RunRow } from './report.js';

/** One gateway configuration: what is off, as the operator would turn it off. */
interface Variant {
  readonly name: string;
  readonly off: string;
  readonly options: Pick<GatewayOptions, 'env' | 'openAuth'>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'all-on', off: 'nothing (every feature on)', options: {} },
  { name: 'no-access-log', off: 'access log (`LOG_LEVEL=warn`)', options: { env: { LOG_LEVEL: 'warn' } } },
  { name: 'no-tracing', off: 'tracing (`OTEL_TRACES_SAMPLER_ARG=0`: no span recorded or exported)', options: { env: { OTEL_TRACES_SAMPLER_ARG: '0' } } },
  { name: 'no-auth', off: 'auth and per-key limits (no keys configured)', options: { openAuth: true } },
  {
    name: 'all-off',
    off: 'access log, tracing, auth and limits',
    options: { env: { LOG_LEVEL: 'warn', OTEL_TRACES_SAMPLER_ARG: '0' }, openAuth: true },
  },
];

export interface FeatureCost {
  readonly variant: string;
  readonly off: string;
  readonly rps: number;
  /** CPU microseconds of the gateway per answered request. */
  readonly cpuUsPerRequest: number;
  /** CPU microseconds per request saved against every feature on. */
  readonly savedUsPerRequest: number;
}

/** Runs one L1-hit load on a fresh gateway started with `options`; resolves its row. */
export type L1Run = (label: string, name: string, options: Pick<GatewayOptions, 'env' | 'openAuth'>) => Promise<RunRow>;

export async function featureCosts(run: L1Run): Promise<FeatureCost[]> {
  const rows: Array<{ v: Variant; row: RunRow }> = [];
  for (const v of VARIANTS) rows.push({ v, row: await run(`costs: L1 hit, off: ${v.off}`, `costs-${v.name}`, v.options) });
  const base = rows[0]!.row.cpuMsPer1k;
  return rows.map(({ v, row }) => ({
    variant: v.name,
    off: v.off,
    rps: row.rps,
    cpuUsPerRequest: row.cpuMsPer1k,
    savedUsPerRequest: base - row.cpuMsPer1k,
  }));
}
