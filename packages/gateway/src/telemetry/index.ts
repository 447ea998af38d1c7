/** What every request reports to: metrics, logs, traces and the price table. */
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { PriceTable } from './prices.js';
import type { Tracing } from './tracing.js';

export interface Telemetry {
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly tracing: Tracing;
  readonly prices: PriceTable;
  /** Log prompts and completions (debug only). */
  readonly logBodies: boolean;
}
