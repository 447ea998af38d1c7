/**
 * The `routing_decision` step every endpoint takes: resolve the model to its route (404 for an
 * unknown one) and admit the request against the caller's limits (429 when over).
 */
import { Attr, Span } from '@llm-edge/semconv';
import type { Gateway } from '../gateway.js';
import type { Exchange } from '../http/exchange.js';
import type { Route } from '../routing/router.js';
import { requestTimeoutMs } from './upstream.js';

/** @param estimatedTokens what the request may use, for the tokens-per-minute limit */
export function routeAndAdmit(gw: Gateway, x: Exchange, model: string, estimatedTokens: number): Promise<Route> {
  return x.step(Span.routingDecision, async (span) => {
    const route = gw.router.resolve(model);
    requestTimeoutMs(gw, x); // a malformed x-llm-edge-timeout is refused before any work
    x.model = model;
    span.setAttribute(Attr.routeName, route.name);
    x.admittedTokens = estimatedTokens;
    x.extraHeaders = await gw.limits.admit(x.caller!, estimatedTokens);
    return route;
  });
}
