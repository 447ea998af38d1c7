/**
 * The cache on the request path: what a request may read and write (config, route and the
 * caller's `cache-control` / `x-llm-edge-cache-ttl`), the `cache_lookup` step with a span per
 * tier, and answering from a cached entry or from an identical request in flight, in the shape
 * the caller asked for (JSON or SSE, its dialect).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SpanKind, type Span as OtelSpan } from '@opentelemetry/api';
import { Attr, CacheStatus, Span, type CacheStatusValue } from '@llm-edge/semconv';
import type { Usage } from '../api/types.js';
import { cacheKey, type CachedAnswer, type CacheEndpoint, type LookupHooks, type ResponseCache } from '../cache/index.js';
import type { Flight } from '../cache/flights.js';
import type { CacheConfig } from '../config/schema.js';
import type { Dialect } from '../dialects/types.js';
import { badRequest, GatewayError, toGatewayError } from '../http/errors.js';
import type { Route } from '../routing/router.js';
import type { Telemetry } from '../telemetry/index.js';
import { recordSavings } from '../telemetry/usage.js';
import { answerHeaders, type AnswerHeaders } from './headers.js';
import type { RequestTrace } from './request.js';
import type { Responder } from './responder.js';

export interface CachePlan {
  readonly key: string;
  /** Look the key up and join identical requests in flight (not with `cache-control: no-cache`). */
  readonly read: boolean;
  /** Store the answer (not with `cache-control: no-store`). */
  readonly write: boolean;
  readonly ttlSeconds: number;
}

/** How the caller wants the answer. */
export interface AnswerShape {
  readonly stream: boolean;
  /** Whether a stored event the dialect marks as optional (chat's usage-only chunk) is sent. */
  readonly omit?: ((payload: string) => boolean) | undefined;
}

/** What serving from the cache or a flight found, for the outcome. */
export interface Served {
  readonly cache: typeof CacheStatus.hitL1 | typeof CacheStatus.hitL2 | typeof CacheStatus.miss;
  readonly provider: string;
  readonly usage: Usage | undefined;
  readonly upstreamMs: number;
  readonly firstByteAt: number | undefined;
}

/**
 * The request's cache plan, or undefined when the cache is off for it (status `bypass`).
 * @throws GatewayError 400 for a malformed x-llm-edge-cache-ttl
 */
export function planCache(config: CacheConfig, route: Route, headers: IncomingHttpHeaders, tenant: string, endpoint: CacheEndpoint, body: Record<string, unknown>, raw: Buffer): CachePlan | undefined {
  const enabled = route.cache.enabled ?? (config.enabled && (config.endpoints as readonly string[]).includes(endpoint));
  if (!enabled) return undefined;
  const control = String(headers['cache-control'] ?? '').toLowerCase();
  const read = !/\bno-cache\b/.test(control);
  const write = !/\bno-store\b/.test(control);
  if (!read && !write) return undefined;
  const ttlSeconds = ttlFrom(headers) ?? route.cache.ttlSeconds ?? config.ttlSeconds;
  // A request the key cannot describe exactly (a field the gateway does not know) is not cached.
  const key = cacheKey(tenant, endpoint, body, raw);
  return key === undefined ? undefined : { key, read, write, ttlSeconds };
}

function ttlFrom(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['x-llm-edge-cache-ttl'];
  if (raw === undefined) return undefined;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 30 * 24 * 3600) {
    throw badRequest('Header x-llm-edge-cache-ttl must be a whole number of seconds from 1 to 2592000.', 'x-llm-edge-cache-ttl', 'invalid_header');
  }
  return ttl;
}

/** The `cache_lookup` step: L1 then L2, each tier a span under it. */
export function lookup(request: RequestTrace, cache: ResponseCache, key: string): Promise<{ answer: CachedAnswer; tier: 'l1' | 'l2' } | undefined> {
  return request.step(Span.cacheLookup, async (span) => {
    // Only a recorded trace wants a span per tier: a sampled-out lookup gets no hook at all.
    const found = await cache.lookup(key, span.isRecording() ? tierSpans(request, span) : undefined);
    span.setAttribute(Attr.cacheHit, found !== undefined);
    return found;
  });
}

function tierSpans(request: RequestTrace, parent: OtelSpan): LookupHooks {
  return {
    onTier: (tier, hit, seconds) => {
      // The tier reports after the fact: its span is placed where the lookup ran.
      const end = performance.timeOrigin + performance.now();
      const attrs = { [Attr.cacheTier]: tier, [Attr.cacheHit]: hit };
      request.startSpan(tier === 'l1' ? Span.l1Lookup : Span.l2Lookup, attrs, parent, SpanKind.INTERNAL, end - seconds * 1000).end(end);
    },
  };
}

/** Answers from a cached entry, recording what it saved. */
export async function serveHit(
  request: RequestTrace,
  responder: Responder,
  telemetry: Telemetry,
  dialect: Dialect,
  found: { answer: CachedAnswer; tier: 'l1' | 'l2' },
  shape: AnswerShape,
  head: Pick<AnswerHeaders, 'requestId' | 'extra'>,
): Promise<Served> {
  const { answer, tier } = found;
  const cache = tier === 'l1' ? CacheStatus.hitL1 : CacheStatus.hitL2;
  recordSavings(telemetry, answer.model, answer.usage);
  const headers = servedHeaders(head, cache, answer.provider);
  headers.age = Math.max(0, Math.floor((Date.now() - answer.createdAt) / 1000));
  let firstByteAt: number | undefined;
  await request.step(Span.responseProcessing, () => {
    if (shape.stream) firstByteAt = replayStored(responder, dialect, eventsOf(dialect, answer), shape, headers);
    else responder.json(200, bodyOf(dialect, answer), headers);
  });
  return { cache, provider: answer.provider, usage: answer.usage, upstreamMs: 0, firstByteAt };
}

/**
 * Joins an identical request in flight. A streaming caller on a streaming flight follows its
 * events live; any other caller gets the flight's final answer in its own shape (JSON, or SSE
 * replayed from it). Time spent waiting is the leader's upstream time, not the gateway's own.
 */
export async function serveFlight(
  responder: Responder,
  telemetry: Telemetry,
  dialect: Dialect,
  flight: Flight,
  shape: AnswerShape,
  head: Pick<AnswerHeaders, 'requestId' | 'extra'>,
  span: OtelSpan,
): Promise<Served> {
  telemetry.metrics.get('coalescedRequestsTotal').inc();
  span.setAttribute(Attr.coalesced, true);
  const cache = CacheStatus.miss;
  const joined = performance.now();
  if (shape.stream && flight.streaming) {
    const events = flight.subscribe();
    leaveWhenGone(responder, flight);
    // The leader names the provider before its first event: read it when that event is here.
    const firstByteAt = await replayLive(responder, dialect, events, shape, () => servedHeaders(head, cache, flight.provider));
    return { cache, provider: flight.provider, usage: undefined, upstreamMs: performance.now() - joined, firstByteAt };
  }
  const waiting = flight.wait();
  leaveWhenGone(responder, flight);
  let answer: CachedAnswer;
  try {
    answer = await waiting;
  } catch (err) {
    // The leader's failure is this caller's too, answered in this caller's dialect.
    throw err instanceof GatewayError ? err : toGatewayError(err);
  }
  const upstreamMs = performance.now() - joined;
  const headers = servedHeaders(head, cache, answer.provider);
  let firstByteAt: number | undefined;
  if (shape.stream) firstByteAt = replayStored(responder, dialect, eventsOf(dialect, answer), shape, headers);
  else responder.json(200, bodyOf(dialect, answer), headers);
  return { cache, provider: answer.provider, usage: answer.usage, upstreamMs, firstByteAt };
}

/** Takes the caller off the flight when it disconnects. */
export function leaveWhenGone(responder: Responder, flight: Flight): void {
  const signal = responder.signal;
  if (signal.aborted) flight.leave();
  else signal.addEventListener('abort', () => flight.leave(), { once: true });
}

/** A stored stream is all here: one write, as a JSON hit is. Returns the first byte's time. */
/** The headers of an answer this step serves (field by field: see withProvider in headers.ts). */
function servedHeaders(head: Pick<AnswerHeaders, 'requestId' | 'extra'>, cache: CacheStatusValue, provider: string): Record<string, string | number> {
  return answerHeaders({ requestId: head.requestId, extra: head.extra, cache, provider });
}

function replayStored(responder: Responder, dialect: Dialect, events: readonly string[], shape: AnswerShape, headers: Record<string, string | number>): number | undefined {
  if (responder.gone) return undefined;
  let frames = '';
  for (const payload of events) if (!shape.omit?.(payload)) frames += dialect.frame(payload);
  responder.startStream(headers);
  const at = performance.now();
  responder.end(frames + dialect.streamEnd);
  return at;
}

/** Follows a live flight's events; a flight that fails mid-way ends with the dialect's error event. */
async function replayLive(responder: Responder, dialect: Dialect, events: AsyncIterable<string>, shape: AnswerShape, headers: () => Record<string, string | number>): Promise<number | undefined> {
  let firstByteAt: number | undefined;
  const start = () => {
    responder.startStream(headers());
    firstByteAt = performance.now();
  };
  try {
    for await (const payload of events) {
      if (responder.gone) return firstByteAt; // this caller left; the others go on
      if (firstByteAt === undefined) start();
      if (shape.omit?.(payload)) continue;
      await responder.write(dialect.frame(payload));
    }
    if (firstByteAt === undefined) start();
    responder.end(dialect.streamEnd);
    return firstByteAt;
  } catch (err) {
    if (firstByteAt === undefined) throw toGatewayError(err);
    responder.end(dialect.streamErrorFrame(new GatewayError(502, 'upstream_error', 'The upstream stream this request joined failed.', null, 'stream_broken')));
    return firstByteAt;
  }
}

function eventsOf(dialect: Dialect, answer: CachedAnswer): readonly string[] {
  return answer.kind === 'stream' ? answer.events ?? [] : dialect.jsonToEvents(answer.body!);
}

function bodyOf(dialect: Dialect, answer: CachedAnswer): Buffer {
  return answer.kind === 'json' ? answer.body! : dialect.eventsToJson(answer.events ?? []);
}
