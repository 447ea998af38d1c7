/**
 * The `routing_decision` step: the route for the requested model (404 for an unknown one) and
 * the request's deadline. Synchronous: route tables are built at start-up.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../http/errors.js';
import type { Route, Router } from '../routing/router.js';

/** Largest `x-llm-edge-timeout` a caller may send, in seconds (a day). */
const MAX_TIMEOUT_SECONDS = 86_400;

export interface Routed {
  readonly route: Route;
  /** The request's deadline, ms after its start. */
  readonly timeoutMs: number;
}

/**
 * @param requestTimeoutMs `resilience.requestTimeoutMs`
 * @throws GatewayError 404 for an unknown model or provider; 400 for a malformed x-llm-edge-timeout
 */
export function routeRequest(router: Router, model: string, headers: IncomingHttpHeaders, requestTimeoutMs: number): Routed {
  return { route: router.resolve(model), timeoutMs: requestTimeout(headers, requestTimeoutMs) };
}

/**
 * `resilience.requestTimeoutMs`, or less when the caller asks with `x-llm-edge-timeout:
 * <seconds>` (capped by the config, never raised by it).
 */
function requestTimeout(headers: IncomingHttpHeaders, configured: number): number {
  const raw = headers['x-llm-edge-timeout'];
  if (raw === undefined) return configured;
  const seconds = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw badRequest(`Header x-llm-edge-timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}.`, 'x-llm-edge-timeout', 'invalid_header');
  }
  return Math.min(configured, seconds * 1000);
}
