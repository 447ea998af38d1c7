/**
 * The request pipeline, in the order of the span tree: authenticate, decode, route and admit,
 * answer from the cache or a flight, else attempt the targets and answer, settle, store. Each
 * step takes what it needs and returns a value; this function only passes them on, and returns
 * the `Outcome` the transport records.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import { Attr, CacheStatus, Span, type CacheStatusValue } from '@llm-edge/semconv';
import type { ApiKeyRegistry, Caller } from '../auth/api-keys.js';
import type { CachedAnswer, CacheEndpoint, Flights, ResponseCache } from '../cache/index.js';
import type { Flight } from '../cache/flights.js';
import type { ResponseStore } from '../cache/response-store.js';
import type { GatewayConfig } from '../config/schema.js';
import { formatUsd, type Governance, type Reservation } from '../governance/governor.js';
import { worstCaseUsd } from '../governance/worst-case.js';
import type { Dialect } from '../dialects/types.js';
import { GatewayError, isInternal, toGatewayError } from '../http/errors.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { Resilience } from '../resilience/index.js';
import type { Route, Router } from '../routing/router.js';
import type { Telemetry } from '../telemetry/index.js';
import { authenticate } from './authenticate.js';
import { leaveWhenGone, lookup, planCache, serveFlight, serveHit, type AnswerShape } from './cache.js';
import { decodeBody, type DecodedBody } from './decode.js';
import { answerHeaders, type AnswerHeaders } from './headers.js';
import type { Outcome } from './outcome.js';
import type { RequestTrace } from './request.js';
import type { Responder } from './responder.js';
import { routeRequest } from './route.js';
import type { Settlement } from './settle.js';
import { StreamBroken } from './stream.js';
import type { Signal } from '../http/cancel.js';

/** Everything the pipeline's steps use, built once at start-up. */
export interface PipelineDeps {
  readonly config: GatewayConfig;
  readonly keys: ApiKeyRegistry;
  readonly router: Router;
  readonly resilience: Resilience;
  readonly limits: RateLimiter;
  readonly cache: ResponseCache;
  readonly flights: Flights;
  readonly governance: Governance;
  /** Stored Responses (`previous_response_id`), in the cache's tiers. */
  readonly responses: ResponseStore;
  readonly telemetry: Telemetry;
}

/** What one endpoint plugs into the pipeline. */
export interface Endpoint<R> {
  /** The endpoint route, a metric label. */
  readonly route: string;
  /** The cache's key space for it. */
  readonly cacheEndpoint: CacheEndpoint;
  /** Its callers' dialect: error shape, framing, shape conversions. */
  readonly dialect: Dialect;
  /** Validates a parsed body (some dialects read a header too). @throws GatewayError 400 */
  decode(body: Record<string, unknown>, headers: IncomingHttpHeaders): R;
  /**
   * What the request needs from storage before it is routed (a Responses request's earlier
   * conversation), once the caller is known.
   */
  prepare?(request: R, caller: Caller, deps: PipelineDeps): Promise<R>;
  /** Caller headers that change the answer, keyed with the body (`anthropic-beta`). */
  keyFields?(request: R, headers: IncomingHttpHeaders): Record<string, unknown>;
  model(request: R): string;
  shape(request: R): AnswerShape;
  /** Tokens the request may use at most, for the limits. */
  estimateTokens(request: R): number;
  /** What the worst-case cost is computed from, for budgets. */
  costBasis(request: R): { readonly promptTokens: number; readonly maxOutputTokens: number | undefined };
  /** Request attributes for a recorded root span. */
  annotate?(request: R): Attributes;
  /** Calls the targets and answers the caller. */
  upstream(input: UpstreamInput<R>): Promise<Answered>;
}

/** What the attempts of one request are given. */
export interface UpstreamInput<R> {
  readonly deps: PipelineDeps;
  readonly request: RequestTrace;
  readonly responder: Responder;
  readonly decoded: DecodedBody<R>;
  readonly caller: Caller;
  readonly route: Route;
  readonly timeoutMs: number;
  readonly admittedTokens: number;
  /** The headers of the answer, less the provider (known once a target answered). */
  readonly head: Omit<AnswerHeaders, 'provider'>;
  /** The flight this request leads, when identical requests may join it. */
  readonly flight: Flight | undefined;
  /** Aborts when nobody waits for the answer (the caller, or everyone on the flight, left). */
  readonly signal: Signal;
}

/** An answer that went out. */
export interface Answered {
  /** The answer to store and hand to joiners; undefined when it did not complete. */
  readonly answer: CachedAnswer | undefined;
  readonly provider: string;
  readonly settlement: Settlement;
  readonly upstreamMs: number;
  readonly firstByteAt?: number | undefined;
}

export async function runPipeline<R>(
  deps: PipelineDeps,
  endpoint: Endpoint<R>,
  request: RequestTrace,
  responder: Responder,
  readBody: () => Promise<Buffer>,
): Promise<Outcome> {
  // What is known so far, for the outcome and the error answer if a step throws.
  let keyId = '';
  let model = '';
  let provider = '';
  let cache: CacheStatusValue = CacheStatus.bypass;
  let extra: Record<string, string> = {};
  const { telemetry } = deps;
  try {
    const caller = request.stepSync(Span.authentication, () => authenticated(deps, request));
    keyId = caller.keyId;
    const read = decodeBody(await readBody(), (body) => endpoint.decode(body, request.headers));
    const decoded = endpoint.prepare ? { ...read, request: await endpoint.prepare(read.request, caller, deps) } : read;
    if (endpoint.annotate) request.annotate(() => endpoint.annotate!(decoded.request));
    const asked = endpoint.model(decoded.request);
    const admittedTokens = endpoint.estimateTokens(decoded.request);
    const budgeted = deps.governance.budgeted(caller);
    const { route, timeoutMs } = await request.step(Span.routingDecision, async (span) => {
      const routed = routeRequest(deps.router, asked, request.headers, deps.config.resilience.requestTimeoutMs);
      model = asked;
      span.setAttribute(Attr.routeName, routed.route.name);
      deps.governance.checkModel(caller, asked);
      extra = await deps.limits.admit(caller, admittedTokens);
      // Every answer to a budgeted key says what is left, cache hits and refusals included.
      const left = budgeted ? await deps.governance.remaining(caller) : undefined;
      if (left !== undefined) extra = { ...extra, [BUDGET_HEADER]: formatUsd(left) };
      return routed;
    });
    const shape = endpoint.shape(decoded.request);
    const keyBody = endpoint.keyFields ? { ...decoded.body, ...endpoint.keyFields(decoded.request, request.headers) } : decoded.body;
    const plan = planCache(deps.config.cache, route, request.headers, caller.keyId, endpoint.cacheEndpoint, keyBody, decoded.raw);
    if (plan?.read) {
      const found = await lookup(request, deps.cache, plan.key);
      const head = { requestId: request.id, extra };
      if (found) {
        const served = await serveHit(request, responder, telemetry, endpoint.dialect, found, shape, head);
        return { keyId, model, provider: served.provider, cache: served.cache, usage: served.usage, usageEstimated: false, costUsd: 0, upstreamMs: 0, firstByteAt: served.firstByteAt };
      }
      cache = CacheStatus.miss;
      const joined = deps.flights.get(plan.key);
      if (joined) {
        const served = await serveFlight(responder, telemetry, endpoint.dialect, joined, shape, head, request.span);
        return { keyId, model, provider: served.provider, cache, usage: served.usage, usageEstimated: false, costUsd: 0, upstreamMs: served.upstreamMs, firstByteAt: served.firstByteAt };
      }
    }
    // The worst case is reserved before anything goes upstream: a request that does not fit is refused.
    const reservation = budgeted ? await reserve(deps, caller, endpoint, decoded.request, route) : undefined;
    if (reservation) extra = { ...extra, [BUDGET_HEADER]: formatUsd(reservation.remainingUsd) };
    // Only a request that may read leads a flight others can join.
    const flight = plan?.read ? deps.flights.start(plan.key, { streaming: shape.stream }) : undefined;
    if (flight) leaveWhenGone(responder, flight);
    let answered: Answered;
    try {
      answered = await endpoint.upstream({
        deps, request, responder, decoded, caller, route, timeoutMs, admittedTokens, flight,
        head: { requestId: request.id, cache, extra },
        signal: flight ? flight.signal : responder.signal,
      });
    } catch (err) {
      flight?.fail(err);
      if (reservation) void deps.governance.settle(reservation, err instanceof StreamBroken ? err.costUsd : 0);
      throw err;
    }
    if (reservation) void deps.governance.settle(reservation, answered.settlement.costUsd);
    const answer = answered.answer;
    if (!answer) flight?.fail(new GatewayError(502, 'upstream_error', 'The upstream stream did not finish.', null, 'stream_broken'));
    else {
      flight?.complete(answer);
      if (plan?.write) deps.cache.store(plan.key, answer, plan.ttlSeconds);
    }
    const { settlement } = answered;
    return {
      keyId, model, provider: answered.provider, cache,
      usage: settlement.usage, usageEstimated: settlement.usageEstimated, costUsd: settlement.costUsd,
      upstreamMs: answered.upstreamMs, firstByteAt: answered.firstByteAt,
    };
  } catch (err) {
    answerError(telemetry, request, responder, endpoint.dialect, err, { requestId: request.id, cache, provider, extra });
    // A stream that broke after its first byte was answered, and what arrived was billed.
    if (err instanceof StreamBroken) {
      return { keyId, model, provider: err.provider, cache, usageEstimated: false, costUsd: err.costUsd, upstreamMs: err.upstreamMs, firstByteAt: err.firstByteAt };
    }
    return { keyId, model, provider, cache, usageEstimated: false, costUsd: 0, upstreamMs: 0 };
  }
}

/** Every answer to a budgeted key carries what is left of the tighter of its and its team's budget. */
export const BUDGET_HEADER = 'x-llm-edge-budget-remaining-usd';

/** Reserves the request's worst case over every model its route may reach. */
function reserve<R>(deps: PipelineDeps, caller: Caller, endpoint: Endpoint<R>, request: R, route: Route): Promise<Reservation | undefined> {
  const { promptTokens, maxOutputTokens } = endpoint.costBasis(request);
  const models = [...route.targets, ...route.fallbacks].map((t) => t.model);
  return deps.governance.reserve(caller, worstCaseUsd(deps.telemetry.prices, models, promptTokens, maxOutputTokens));
}

function authenticated(deps: PipelineDeps, request: RequestTrace): Caller {
  try {
    return authenticate(deps.keys, request.method, request.headers);
  } catch (err) {
    if ((err as GatewayError).status === 401) deps.telemetry.metrics.get('authFailuresTotal').inc();
    throw err;
  }
}

/**
 * Answers `err` in the dialect's error shape, unless an answer already started. An error the
 * gateway did not expect is a bare 500 to the caller and a log line with its cause.
 */
export function answerError(telemetry: Telemetry, request: RequestTrace, responder: Responder, dialect: Dialect, err: unknown, head: AnswerHeaders): void {
  if (isInternal(err)) {
    // pino's error serializer: type, message and stack; nothing of the request (no headers, no body).
    telemetry.log.error({ msg: 'internal error', request_id: request.id, route: request.route, err: err instanceof Error ? err : { message: String(err) } });
  }
  const error = toGatewayError(err);
  const headers = answerHeaders(head, error.headers);
  // A body we did not read whole must not be parsed as the next request on this connection.
  if (error.status === 413) headers.connection = 'close';
  responder.json(error.status, dialect.errorBody(error), headers);
}
