/**
 * The cache on the request path: what a request may read and write (config, route and the
 * caller's `cache-control` / `x-llm-edge-cache-ttl`), the lookup with its spans, and answering
 * from a cached entry, from an identical request already in flight, or from upstream, in the
 * shape the caller asked for (JSON or SSE).
 */
import { SpanKind, type Span as SpanType } from '@opentelemetry/api';
import { Attr, CacheStatus, Span } from '@llm-edge/semconv';
import type { CachedAnswer, CacheEndpoint, LookupHooks } from '../cache/index.js';
import { cacheKey, completionToEvents, streamToCompletion } from '../cache/index.js';
import type { Flight } from '../cache/flights.js';
import type { Gateway } from '../gateway.js';
import { badRequest, GatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson, sseErrorFrame, startSse, writeFrame } from '../http/respond.js';
import { sseData, SSE_DONE } from '../providers/sse.js';
import type { Route } from '../routing/router.js';
import { recordSavings } from '../telemetry/usage.js';

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
  /** Streams only: send the usage-only chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
}

/**
 * Answers a request through the cache: from an entry, else by joining an identical request in
 * flight, else by `upstream`, which writes the answer to the caller and returns it complete (or
 * undefined when it did not finish). A complete answer goes to the joined requests and, unless
 * `no-store`, into the cache.
 *
 * `upstream` gets the signal its provider call must follow: the caller's own, or with a flight
 * the flight's, which aborts only once every caller on it left (a leader who leaves does not
 * take the joiners' answer with it).
 */
export async function answerThroughCache(
  gw: Gateway,
  x: Exchange,
  plan: CachePlan | undefined,
  shape: AnswerShape,
  upstream: (flight: Flight | undefined, signal: AbortSignal) => Promise<CachedAnswer | undefined>,
): Promise<void> {
  if (plan?.read) {
    const found = await lookup(gw, x, plan);
    if (found) return serveHit(gw, x, found, shape);
    const joined = gw.flights.get(plan.key);
    if (joined) return serveFlight(gw, x, joined, shape);
    x.cache = CacheStatus.miss;
  }
  // Only a request that may read leads a flight others can join.
  const flight = plan?.read ? gw.flights.start(plan.key, { streaming: shape.stream }) : undefined;
  if (flight) leaveWhenGone(x, flight);
  let answer: CachedAnswer | undefined;
  try {
    answer = await upstream(flight, flight ? flight.signal : x.signal);
  } catch (err) {
    flight?.fail(err);
    throw err;
  }
  if (!answer) return flight?.fail(new GatewayError(502, 'upstream_error', 'The upstream stream did not finish.', null, 'stream_broken'));
  flight?.complete(answer);
  if (plan?.write) gw.cache.store(plan.key, answer, plan.ttlSeconds);
}

/** Takes the caller off the flight when it disconnects. */
function leaveWhenGone(x: Exchange, flight: Flight): void {
  const signal = x.signal;
  if (signal.aborted) flight.leave();
  else signal.addEventListener('abort', () => flight.leave(), { once: true });
}

/** The request's cache plan, or undefined when the cache is off for it (status `bypass`). */
export function planCache(gw: Gateway, x: Exchange, route: Route, endpoint: CacheEndpoint, body: Record<string, unknown>, raw: Buffer): CachePlan | undefined {
  const { cache } = gw.config;
  const enabled = route.cache.enabled ?? (cache.enabled && cache.endpoints.includes(endpoint));
  if (!enabled) return undefined;
  const control = String(x.req.headers['cache-control'] ?? '').toLowerCase();
  const read = !/\bno-cache\b/.test(control);
  const write = !/\bno-store\b/.test(control);
  if (!read && !write) return undefined;
  const ttlSeconds = ttlFrom(x) ?? route.cache.ttlSeconds ?? cache.ttlSeconds;
  // A request the key cannot describe exactly (a field the gateway does not know) is not cached.
  const key = cacheKey(x.caller!.keyId, endpoint, body, raw);
  return key === undefined ? undefined : { key, read, write, ttlSeconds };
}

function ttlFrom(x: Exchange): number | undefined {
  const raw = x.req.headers['x-llm-edge-cache-ttl'];
  if (raw === undefined) return undefined;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 30 * 24 * 3600) {
    throw badRequest('Header x-llm-edge-cache-ttl must be a whole number of seconds from 1 to 2592000.', 'x-llm-edge-cache-ttl', 'invalid_header');
  }
  return ttl;
}

/** Looks the plan's key up in L1 then L2, each tier a span under `cache_lookup`. */
function lookup(gw: Gateway, x: Exchange, plan: CachePlan): Promise<{ answer: CachedAnswer; tier: 'l1' | 'l2' } | undefined> {
  return x.step(Span.cacheLookup, async (span) => {
    // Only a recorded trace wants a span per tier: a sampled-out lookup gets no hook at all.
    const found = await gw.cache.lookup(plan.key, span.isRecording() ? tierSpans(x, span) : undefined);
    span.setAttribute(Attr.cacheHit, found !== undefined);
    return found;
  });
}

/** Hooks that record each tier's lookup as a child span of `parent`. */
function tierSpans(x: Exchange, parent: SpanType): LookupHooks {
  return {
    onTier: (tier, hit, seconds) => {
      // The tier reports after the fact: its span is placed where the lookup ran.
      const end = performance.timeOrigin + performance.now();
      const attrs = { [Attr.cacheTier]: tier, [Attr.cacheHit]: hit };
      x.startSpan(tier === 'l1' ? Span.l1Lookup : Span.l2Lookup, attrs, parent, SpanKind.INTERNAL, end - seconds * 1000).end(end);
    },
  };
}

/** Answers from a cached entry, recording what it saved. */
async function serveHit(gw: Gateway, x: Exchange, found: { answer: CachedAnswer; tier: 'l1' | 'l2' }, { stream, includeUsage }: AnswerShape): Promise<void> {
  const { answer, tier } = found;
  x.cache = tier === 'l1' ? CacheStatus.hitL1 : CacheStatus.hitL2;
  x.provider = answer.provider;
  x.usage = answer.usage;
  recordSavings(gw.telemetry, answer.model, answer.usage);
  const age = { age: Math.max(0, Math.floor((Date.now() - answer.createdAt) / 1000)) };
  await x.step(Span.responseProcessing, async () => {
    if (stream) await replayStream(x, eventsOf(answer), includeUsage, age);
    else sendJson(x.res, 200, bodyOf(answer), x.headers(age));
  });
}

/**
 * Joins an identical request in flight. A streaming caller on a streaming flight follows its
 * events live; any other caller gets the flight's final answer in its own shape (JSON, or SSE
 * replayed from it).
 */
async function serveFlight(gw: Gateway, x: Exchange, flight: Flight, { stream, includeUsage }: AnswerShape): Promise<void> {
  gw.metrics.get('coalescedRequestsTotal').inc();
  x.span.setAttribute(Attr.coalesced, true);
  x.cache = CacheStatus.miss;
  // Waiting on the leader's upstream call is upstream time, not the gateway's own.
  const joined = performance.now();
  const waited = () => {
    x.upstreamMs += performance.now() - joined;
  };
  if (stream && flight.streaming) {
    const events = flight.subscribe();
    leaveWhenGone(x, flight);
    // The leader names the provider before its first event: read it when that event is here.
    await replayStream(x, events, includeUsage, {}, () => (x.provider = flight.provider)).finally(waited);
    return;
  }
  const answer = flight.wait();
  leaveWhenGone(x, flight);
  let found: CachedAnswer;
  try {
    found = await answer.finally(waited);
  } catch (err) {
    return x.fail(err);
  }
  x.provider = found.provider;
  x.usage = found.usage;
  if (stream) await replayStream(x, eventsOf(found), includeUsage, {});
  else sendJson(x.res, 200, bodyOf(found), x.headers());
}

/**
 * Writes chunk payloads as SSE; a source that fails mid-way ends with an SSE error event.
 * @param onStart runs just before the first byte (headers) goes out
 */
async function replayStream(x: Exchange, events: readonly string[] | AsyncIterable<string>, includeUsage: boolean, headers: Record<string, number>, onStart?: () => void): Promise<void> {
  const res = x.res;
  if (isStored(events)) {
    // A cached stream is all here: one write, as a JSON hit is.
    if (res.destroyed) return;
    let frames = '';
    for (const payload of events) if (includeUsage || !isUsageOnly(payload)) frames += sseData(payload);
    startSse(res, x.headers(headers));
    x.firstByteAt = performance.now();
    res.end(frames + SSE_DONE);
    return;
  }
  let started = false;
  const start = () => {
    onStart?.();
    startSse(res, x.headers(headers));
    x.firstByteAt = performance.now();
    started = true;
  };
  try {
    for await (const payload of events) {
      if (res.destroyed) return; // this caller left; the others go on
      if (!started) start();
      if (!includeUsage && isUsageOnly(payload)) continue;
      await writeFrame(res, sseData(payload));
    }
    if (!started) start();
    res.end(SSE_DONE);
  } catch (err) {
    if (!started) return x.fail(err);
    if (!res.destroyed) res.end(sseErrorFrame('The upstream stream this request joined failed.', 'upstream_error', 'stream_broken'));
  }
}

function isStored(events: readonly string[] | AsyncIterable<string>): events is readonly string[] {
  return Array.isArray(events);
}

function isUsageOnly(payload: string): boolean {
  return payload.includes('"choices":[]');
}

function eventsOf(answer: CachedAnswer): readonly string[] {
  return answer.kind === 'stream' ? answer.events ?? [] : completionToEvents(answer.body!);
}

function bodyOf(answer: CachedAnswer): Buffer {
  return answer.kind === 'json' ? answer.body! : streamToCompletion(answer.events ?? []);
}
