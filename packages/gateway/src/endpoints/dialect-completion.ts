/**
 * A completion endpoint of a dialect other than chat (Anthropic Messages, OpenAI Responses) on
 * the pipeline. Each attempt goes to its target natively when the provider speaks the dialect
 * (the caller's body as it came, so provider-only features survive), else translated through
 * the canonical form; either way the caller gets the dialect's JSON or event stream.
 */
import { Span } from '@llm-edge/semconv';
import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import type { CacheEndpoint } from '../cache/index.js';
import type { Decoded, Dialect } from '../dialects/types.js';
import { attempt } from '../pipeline/attempts.js';
import type { DecodedBody } from '../pipeline/decode.js';
import { answerHeaders, withProvider } from '../pipeline/headers.js';
import { failSpan } from '../pipeline/request.js';
import type { Answered, Endpoint, UpstreamInput } from '../pipeline/run.js';
import { settle } from '../pipeline/settle.js';
import { AS_THEY_ARE, encodedBy, firstEvents, openStream, pipeStream, StreamBroken, type EventEncoding, type OpenedStream, type Piped } from '../pipeline/stream.js';
import type { JsonAnswer, NativeAnswer, NativeCall } from '../providers/types.js';
import type { Target } from '../routing/router.js';
import { usageAttributes } from '../telemetry/genai.js';
import { estimatePromptTokens, estimateRequestTokens } from '../telemetry/tokens.js';
import { canonicalCostBasis, streamedText } from './chat-completions.js';

/** What a dialect's completion endpoint is made of. */
export interface DialectCompletion<R extends { readonly decoded: Decoded }> {
  readonly route: string;
  readonly cacheEndpoint: CacheEndpoint;
  readonly dialect: Dialect<R['decoded']>;
  /** The endpoint's path on a provider that speaks the dialect. */
  readonly nativePath: string;
  /** Caller headers the dialect's own API reads, passed on natively (and part of the cache key). */
  readonly nativeHeaders: readonly string[];
  decode(body: Record<string, unknown>, headers: IncomingHttpHeaders): R;
  /** What the request needs from storage once the caller is known (see `Endpoint.prepare`). */
  prepare?: Endpoint<R>['prepare'];
  /** Whether `target` may take the request natively (it speaks the dialect, and the request allows it). */
  native(request: R, target: Target): boolean;
  /** The body a native attempt sends: the caller's bytes when the target serves the model asked for. */
  nativeBody(decoded: DecodedBody<R>, target: Target): Buffer | string;
  /** The canonical request of a translated attempt. @throws GatewayError 400 for what does not translate */
  canonical(request: R): ChatRequest;
  /** After a complete answer: what the endpoint keeps of it (stored responses). */
  afterAnswer?(request: R, answer: { json: Buffer; native: boolean; provider: string }, input: UpstreamInput<R>): void;
}

/** A dialect endpoint as the pipeline runs it. */
export function dialectEndpoint<R extends { readonly decoded: Decoded }>(spec: DialectCompletion<R>): Endpoint<R> {
  return {
    route: spec.route,
    cacheEndpoint: spec.cacheEndpoint,
    dialect: spec.dialect,
    decode: (body, headers) => spec.decode(body, headers),
    ...(spec.prepare ? { prepare: spec.prepare } : {}),
    model: (r) => r.decoded.model,
    shape: (r) => ({ stream: r.decoded.stream, omit: spec.dialect.omits ? (payload) => spec.dialect.omits!(payload, r.decoded) : undefined }),
    estimateTokens: (r) => estimateRequestTokens(r.decoded.canonical),
    costBasis: (r) => canonicalCostBasis(r.decoded.canonical),
    keyFields: (_request, headers) => headerFields(spec.nativeHeaders, headers),
    upstream: (input) => (input.decoded.request.decoded.stream ? streamed(spec, input) : json(spec, input)),
  };
}

function headerFields(names: readonly string[], headers: IncomingHttpHeaders): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

/** The native call of one attempt on `target`. */
function nativeCall<R extends { readonly decoded: Decoded }>(spec: DialectCompletion<R>, input: UpstreamInput<R>, target: Target, stream: boolean): NativeCall {
  return {
    dialect: spec.dialect.name,
    path: spec.nativePath,
    body: spec.nativeBody(input.decoded, target),
    stream,
    headers: headerFields(spec.nativeHeaders, input.request.headers),
  };
}

/** One attempt's JSON answer in the dialect: the provider's own bytes natively, else encoded. */
interface DialectJson {
  readonly bytes: Buffer;
  readonly usage: JsonAnswer['usage'];
  readonly native: boolean;
  /** The canonical answer of a translated attempt (for the usage estimate). */
  readonly completion?: ChatCompletion;
}

async function json<R extends { readonly decoded: Decoded }>(spec: DialectCompletion<R>, input: UpstreamInput<R>): Promise<Answered> {
  const { deps, request, responder } = input;
  const r = input.decoded.request;
  const { value, target, upstreamMs } = await attempt<DialectJson>(
    request, deps.resilience, deps.telemetry, input.route,
    async (t, options) => {
      if (spec.native(r, t)) {
        const answer = (await t.provider.native!(nativeCall(spec, input, t, false), options)) as NativeAnswer;
        if (answer.kind !== 'json') throw new Error(`provider ${t.provider.name} answered a JSON request with a stream`);
        return { bytes: answer.bytes, usage: answer.usage, native: true };
      }
      const canonical = spec.canonical(r);
      const answer = await t.provider.chat({ ...canonical, model: t.model }, false, options);
      if (answer.kind !== 'json') throw new Error(`provider ${t.provider.name} answered a JSON request with a stream`);
      const completion = answer.value as ChatCompletion;
      return { bytes: Buffer.from(spec.dialect.encodeJson(completion, r.decoded)), usage: answer.usage, native: false, completion };
    },
    { operation: 'chat', signal: input.signal, timeoutMs: input.timeoutMs, describe: (v) => usageAttributes(v.usage) },
  );
  const provider = target.provider.name;
  return request.step(Span.responseProcessing, () => {
    const settlement = settle(deps.telemetry, deps.limits, {
      caller: input.caller, target, admittedTokens: input.admittedTokens, usage: value.usage,
      estimatedPrompt: () => estimatePromptTokens(r.decoded.canonical),
      text: () => value.completion?.choices[0]?.message.content ?? '',
    });
    responder.json(200, value.bytes, answerHeaders(withProvider(input.head, provider)));
    spec.afterAnswer?.(r, { json: value.bytes, native: value.native, provider }, input);
    const answer = { kind: 'json' as const, body: value.bytes, model: target.model, provider, createdAt: Date.now(), usage: settlement.usage };
    return { answer, provider, settlement, upstreamMs };
  });
}

async function streamed<R extends { readonly decoded: Decoded }>(spec: DialectCompletion<R>, input: UpstreamInput<R>): Promise<Answered> {
  const { deps, request, responder, flight } = input;
  const r = input.decoded.request;
  const { value, target, upstreamMs } = await attempt<OpenedStream & { encoding: EventEncoding; native: boolean }>(
    request, deps.resilience, deps.telemetry, input.route,
    async (t, options) => {
      if (spec.native(r, t)) {
        const answer = await t.provider.native!(nativeCall(spec, input, t, true), options);
        if (answer.kind !== 'stream') throw new Error(`provider ${t.provider.name} answered a stream request with JSON`);
        return { ...(await firstEvents(answer)), encoding: AS_THEY_ARE, native: true };
      }
      const opened = await openStream(t, spec.canonical(r), options);
      return { ...opened, encoding: encodedBy(spec.dialect.streamEncoder(r.decoded)), native: false };
    },
    { operation: 'chat', signal: input.signal, timeoutMs: input.timeoutMs, handOver: (opened, span) => ({ ...opened, span }) },
  );
  const provider = target.provider.name;
  if (flight) flight.provider = provider;
  // What a stream used is counted and billed even when it did not finish.
  const settleWith = (usage: Usage | undefined, upstream: readonly string[]) =>
    settle(deps.telemetry, deps.limits, {
      caller: input.caller, target, admittedTokens: input.admittedTokens, usage,
      estimatedPrompt: () => estimatePromptTokens(r.decoded.canonical),
      text: () => (value.native ? '' : streamedText(upstream)),
    });
  let piped: Piped | undefined;
  try {
    piped = await pipeStream(responder, value, {
      dialect: spec.dialect,
      encoding: value.encoding,
      omit: spec.dialect.omits ? (payload) => spec.dialect.omits!(payload, r.decoded) : undefined,
      headers: answerHeaders(withProvider(input.head, provider)),
      onEvent: flight ? (payload) => flight.push(payload) : undefined,
      signal: input.signal,
      metrics: deps.telemetry.metrics,
      provider,
    });
  } catch (err) {
    if (value.span) failSpan(value.span, err);
    if (!(err instanceof StreamBroken)) throw err;
    throw err.after(upstreamMs, settleWith(err.partial.usage, err.partial.upstream).costUsd);
  } finally {
    if (value.span && piped?.complete) value.span.setAttributes(usageAttributes(piped.usage));
    value.span?.end();
  }
  const done = piped!;
  return request.step(Span.responseProcessing, () => {
    const settlement = settleWith(done.usage, done.upstream);
    if (!done.complete) return { answer: undefined, provider, settlement, upstreamMs, firstByteAt: done.firstByteAt };
    if (spec.afterAnswer) spec.afterAnswer(r, { json: spec.dialect.eventsToJson(done.events), native: value.native, provider }, input);
    const answer = { kind: 'stream' as const, events: done.events, model: target.model, provider, createdAt: Date.now(), usage: settlement.usage };
    return { answer, provider, settlement, upstreamMs, firstByteAt: done.firstByteAt };
  });
}
