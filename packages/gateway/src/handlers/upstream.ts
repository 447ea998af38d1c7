/**
 * One provider attempt as the telemetry sees it: timed, counted by provider and status, failures
 * counted by reason, and its time taken out of the gateway's own overhead.
 */
import type { Gateway } from '../gateway.js';
import type { Exchange } from '../http/exchange.js';
import type { CallOptions } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { Target } from '../routing/router.js';

/** Headers passed to providers: the request id, so provider logs can be matched to ours. */
export function upstreamHeaders(x: Exchange): Record<string, string> {
  return { 'x-request-id': x.id };
}

export async function recordAttempt<T>(gw: Gateway, x: Exchange, target: Target, call: (options: CallOptions) => Promise<T>): Promise<T> {
  const provider = target.provider.name;
  const m = gw.metrics;
  const started = performance.now();
  try {
    const value = await call({ signal: x.signal, headers: upstreamHeaders(x) });
    m.get('providerRequestsTotal').labels(provider, '200').inc();
    return value;
  } catch (err) {
    if (err instanceof UpstreamError) {
      m.get('providerRequestsTotal').labels(provider, err.status ? String(err.status) : 'error').inc();
      m.get('providerErrorsTotal').labels(provider, err.reason).inc();
    }
    throw err;
  } finally {
    const ms = performance.now() - started;
    x.upstreamMs += ms;
    m.get('providerLatencySeconds').labels(provider).observe(ms / 1000);
  }
}
