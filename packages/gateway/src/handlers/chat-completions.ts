/**
 * `POST /v1/chat/completions`: authenticate, read and validate the body, route, answer from the
 * cache or from an identical request in flight, else call the provider targets through the
 * resilience layer; answer as JSON or SSE, count tokens and dollars, and store what completed.
 */
import type { Attributes } from '@opentelemetry/api';
import { Span } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import { validateChatRequest } from '../api/validate.js';
import type { CachedAnswer } from '../cache/index.js';
import type { Flight } from '../cache/flights.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { failSpan, type Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { CallOptions, JsonAnswer } from '../providers/types.js';
import type { Route, Target } from '../routing/router.js';
import { estimatePromptTokens, estimateRequestTokens, estimateTextTokens } from '../telemetry/tokens.js';
import { chatRequestAttributes, completionAttributes, streamedAttributes, usageAttributes } from '../telemetry/genai.js';
import { recordUsage } from '../telemetry/usage.js';
import { answerThroughCache, planCache } from './cached.js';
import { routeAndAdmit } from './route.js';
import { openStream, pipeStream } from './stream.js';
import { attemptContext, recordAttempt, withRawBody } from './upstream.js';

export async function chatCompletions(gw: Gateway, x: Exchange): Promise<void> {
  try {
    await gw.authenticate(x);
    const raw = await readBody(x.req, gw.config.server.bodyLimitBytes);
    const body = parseJsonObject(raw);
    const request = validateChatRequest(body);
    x.annotate(() => chatRequestAttributes(request));
    const route = await routeAndAdmit(gw, x, request.model, estimateRequestTokens(request));
    const shape = { stream: request.stream === true, includeUsage: request.stream_options?.include_usage === true };
    await answerThroughCache(gw, x, planCache(gw, x, route, 'chat', body, raw), shape, (flight, signal) =>
      shape.stream ? streamUpstream(gw, x, route, request, shape.includeUsage, flight, signal) : jsonUpstream(gw, x, route, request, raw, signal),
    );
  } catch (err) {
    x.fail(err);
  }
}

async function jsonUpstream(gw: Gateway, x: Exchange, route: Route, request: ChatRequest, raw: Buffer, signal: AbortSignal): Promise<CachedAnswer> {
  const { value, target } = await gw.resilience.run(
    route,
    (t, a) => recordAttempt(gw, x, t, a, (o) => callJson(t, request, withRawBody(o, raw, request.model, t)), { describe: answerAttributes }),
    attemptContext(gw, x, signal),
  );
  x.provider = target.provider.name;
  return x.step(Span.responseProcessing, () => {
    account(gw, x, request, target, value.usage, () => value.value.choices[0]?.message.content ?? '');
    x.annotate(() => completionAttributes(value.value));
    sendJson(x.res, 200, value.bytes, x.headers());
    return { kind: 'json', body: value.bytes, model: target.model, provider: target.provider.name, createdAt: Date.now(), usage: x.usage };
  });
}

/** A JSON answer as its attempt's span describes it. */
function answerAttributes(answer: JsonAnswer<ChatCompletion>): Attributes {
  return { ...completionAttributes(answer.value), ...usageAttributes(answer.usage) };
}

/**
 * Streams from upstream to the caller and to any joined requests. The upstream stream follows
 * `signal`: with joiners it goes on for them after the leading caller left; alone, it is
 * cancelled. Returns the finished stream, or undefined when it did not finish (never stored).
 */
async function streamUpstream(gw: Gateway, x: Exchange, route: Route, request: ChatRequest, includeUsage: boolean, flight: Flight | undefined, signal: AbortSignal): Promise<CachedAnswer | undefined> {
  const { value, target } = await gw.resilience.run(
    route,
    (t, a) => recordAttempt(gw, x, t, a, (o) => openStream(t, request, o), { handOver: (opened, span) => ({ ...opened, span }) }),
    attemptContext(gw, x, signal),
  );
  x.provider = target.provider.name;
  if (flight) flight.provider = x.provider;
  const attemptSpan = value.span;
  let events: string[] | undefined;
  try {
    events = await pipeStream(x, value, includeUsage, { onEvent: flight ? (payload) => flight.push(payload) : undefined, signal });
  } catch (err) {
    if (attemptSpan) failSpan(attemptSpan, err);
    throw err;
  } finally {
    if (attemptSpan && events) attemptSpan.setAttributes({ ...streamedAttributes(events), ...usageAttributes(x.usage) });
    attemptSpan?.end();
  }
  if (!events) return undefined;
  const finished = events;
  return x.step(Span.responseProcessing, () => {
    account(gw, x, request, target, x.usage, () => streamedText(finished));
    x.annotate(() => streamedAttributes(finished));
    return { kind: 'stream' as const, events: finished, model: target.model, provider: target.provider.name, createdAt: Date.now(), usage: x.usage };
  });
}

async function callJson(target: Target, request: ChatRequest, options: CallOptions): Promise<JsonAnswer<ChatCompletion>> {
  const answer = await target.provider.chat({ ...request, model: target.model }, false, options);
  if (answer.kind !== 'json') throw new Error(`provider ${target.provider.name} answered a JSON request with a stream`);
  return answer;
}

/**
 * Counts the answer's tokens and cost, estimating them from text when the provider reported no
 * usage, and settles the caller's token limit with the real figure.
 */
function account(gw: Gateway, x: Exchange, request: ChatRequest, target: Target, usage: Usage | undefined, text: () => string): void {
  let used = usage;
  if (!used) {
    const prompt = estimatePromptTokens(request);
    const completion = estimateTextTokens(text());
    used = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    x.usageEstimated = true;
  }
  x.usage = used;
  x.costUsd = recordUsage(gw.telemetry, target.provider.name, target.model, used);
  gw.limits.reconcile(x.caller!, x.admittedTokens, used.total_tokens);
  // Prompts and completions reach the logs only when debugging bodies was asked for explicitly.
  if (gw.telemetry.logBodies) gw.log.debug({ request_id: x.id, messages: request.messages, completion: text() }, 'bodies');
}

/** The text content of streamed chunk payloads (parsed only when usage must be estimated). */
function streamedText(events: readonly string[]): string {
  let text = '';
  for (const payload of events) {
    const delta = (JSON.parse(payload) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta;
    if (delta?.content) text += delta.content;
  }
  return text;
}
