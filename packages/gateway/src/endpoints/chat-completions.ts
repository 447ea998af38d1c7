/**
 * `POST /v1/chat/completions` on the pipeline: the chat dialect's requests, answered as JSON or
 * SSE from the provider targets, with tokens and dollars counted.
 */
import { Span } from '@llm-edge/semconv';
import type { Attributes } from '@opentelemetry/api';
import type { ChatChunk, ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import { chatDialect } from '../dialects/chat/index.js';
import type { Decoded } from '../dialects/types.js';
import type { JsonAnswer } from '../providers/types.js';
import { attempt, withRawBody } from '../pipeline/attempts.js';
import { answerHeaders, withProvider } from '../pipeline/headers.js';
import { failSpan } from '../pipeline/request.js';
import type { Answered, Endpoint, UpstreamInput } from '../pipeline/run.js';
import { settle } from '../pipeline/settle.js';
import { AS_THEY_ARE, openStream, pipeStream, StreamBroken, type Piped } from '../pipeline/stream.js';
import { chatRequestAttributes, completionAttributes, streamedAttributes, usageAttributes } from '../telemetry/genai.js';
import { estimatePromptTokens, estimateRequestTokens } from '../telemetry/tokens.js';

export const chatCompletions: Endpoint<Decoded> = {
  route: '/v1/chat/completions',
  cacheEndpoint: 'chat',
  dialect: chatDialect,
  decode: (body) => chatDialect.decode(body),
  model: (d) => d.model,
  shape: (d) => ({ stream: d.stream, omit: (payload) => chatDialect.omits!(payload, d) }),
  estimateTokens: (d) => estimateRequestTokens(d.canonical),
  costBasis: (d) => canonicalCostBasis(d.canonical),
  annotate: (d) => chatRequestAttributes(d.canonical),
  upstream: (input) => (input.decoded.request.stream ? streamed(input) : json(input)),
};

async function json(input: UpstreamInput<Decoded>): Promise<Answered> {
  const { deps, request, responder, decoded } = input;
  const canonical = decoded.request.canonical;
  const { value, target, upstreamMs } = await attempt(
    request, deps.resilience, deps.telemetry, input.route,
    async (t, options) => {
      const answer = await t.provider.chat({ ...canonical, model: t.model }, false, withRawBody(options, decoded.raw, canonical.model, t));
      if (answer.kind !== 'json') throw new Error(`provider ${t.provider.name} answered a JSON request with a stream`);
      return answer;
    },
    { operation: 'chat', signal: input.signal, timeoutMs: input.timeoutMs, describe: answerAttributes },
  );
  const provider = target.provider.name;
  return request.step(Span.responseProcessing, () => {
    const settlement = settle(deps.telemetry, deps.limits, {
      caller: input.caller, target, admittedTokens: input.admittedTokens, usage: value.usage,
      estimatedPrompt: () => estimatePromptTokens(canonical),
      text: () => value.value.choices[0]?.message.content ?? '',
    });
    logBodies(input, () => value.value.choices[0]?.message.content ?? '');
    request.annotate(() => completionAttributes(value.value));
    responder.json(200, value.bytes, answerHeaders(withProvider(input.head, provider)));
    const answer = { kind: 'json' as const, body: value.bytes, model: target.model, provider, createdAt: Date.now(), usage: settlement.usage };
    return { answer, provider, settlement, upstreamMs };
  });
}

/** A JSON answer as its attempt's span describes it. */
function answerAttributes(answer: JsonAnswer<ChatCompletion>): Attributes {
  return Object.assign(completionAttributes(answer.value), usageAttributes(answer.usage));
}

/**
 * Streams from upstream to the caller and to any joined requests. The upstream stream follows
 * `input.signal`: with joiners it goes on for them after the leading caller left; alone, it is
 * cancelled.
 */
async function streamed(input: UpstreamInput<Decoded>): Promise<Answered> {
  const { deps, request, responder, decoded, flight } = input;
  const canonical = decoded.request.canonical;
  const { value, target, upstreamMs } = await attempt(
    request, deps.resilience, deps.telemetry, input.route,
    (t, options) => openStream(t, canonical, options),
    { operation: 'chat', signal: input.signal, timeoutMs: input.timeoutMs, handOver: (opened, span) => ({ ...opened, span }) },
  );
  const provider = target.provider.name;
  if (flight) flight.provider = provider;
  const attemptSpan = value.span;
  // What a stream used is counted and billed even when it did not finish.
  const settleWith = (usage: Usage | undefined, upstream: readonly string[]) =>
    settle(deps.telemetry, deps.limits, {
      caller: input.caller, target, admittedTokens: input.admittedTokens, usage,
      estimatedPrompt: () => estimatePromptTokens(canonical),
      text: () => streamedText(upstream),
    });
  let piped: Piped | undefined;
  try {
    piped = await pipeStream(responder, value, {
      dialect: chatDialect,
      encoding: AS_THEY_ARE,
      omit: (payload) => chatDialect.omits!(payload, decoded.request),
      headers: answerHeaders(withProvider(input.head, provider)),
      onEvent: flight ? (payload) => flight.push(payload) : undefined,
      signal: input.signal,
      metrics: deps.telemetry.metrics,
      provider,
    });
  } catch (err) {
    if (attemptSpan) failSpan(attemptSpan, err);
    if (!(err instanceof StreamBroken)) throw err;
    throw err.after(upstreamMs, settleWith(err.partial.usage, err.partial.upstream).costUsd);
  } finally {
    if (attemptSpan && piped?.complete) attemptSpan.setAttributes({ ...streamedAttributes(piped.events), ...usageAttributes(piped.usage) });
    attemptSpan?.end();
  }
  const done = piped!;
  return request.step(Span.responseProcessing, () => {
    const settlement = settleWith(done.usage, done.upstream);
    if (!done.complete) return { answer: undefined, provider, settlement, upstreamMs, firstByteAt: done.firstByteAt };
    logBodies(input, () => streamedText(done.upstream));
    request.annotate(() => streamedAttributes(done.events));
    const answer = { kind: 'stream' as const, events: done.events, model: target.model, provider, createdAt: Date.now(), usage: settlement.usage };
    return { answer, provider, settlement, upstreamMs, firstByteAt: done.firstByteAt };
  });
}

/** A canonical request's worst-case cost basis: its prompt and its output budget. */
export function canonicalCostBasis(request: ChatRequest): { promptTokens: number; maxOutputTokens: number | undefined } {
  const max = request.max_completion_tokens ?? request.max_tokens;
  return { promptTokens: estimatePromptTokens(request), maxOutputTokens: typeof max === 'number' ? max : undefined };
}

/** Prompts and completions reach the logs only when debugging bodies was asked for explicitly. */
function logBodies(input: UpstreamInput<Decoded>, completion: () => string): void {
  const { telemetry } = input.deps;
  if (telemetry.logBodies) telemetry.log.debug({ request_id: input.request.id, messages: input.decoded.request.canonical.messages, completion: completion() }, 'bodies');
}

/** The text content of streamed chunk payloads (parsed only when usage must be estimated). */
export function streamedText(payloads: readonly string[]): string {
  let text = '';
  for (const payload of payloads) {
    const delta = (JSON.parse(payload) as ChatChunk).choices?.[0]?.delta;
    if (typeof delta?.content === 'string') text += delta.content;
  }
  return text;
}
