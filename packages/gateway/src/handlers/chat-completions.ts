/**
 * `POST /v1/chat/completions`: authenticate, read and validate the body, route, call the
 * provider targets through the resilience layer, and answer as JSON or as an SSE stream,
 * counting tokens and dollars on the way out.
 */
import { Attr, Span } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import { validateChatRequest } from '../api/validate.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { toGatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sendError, sendJson } from '../http/respond.js';
import type { CallOptions, JsonAnswer } from '../providers/types.js';
import type { Route, Target } from '../routing/router.js';
import { estimatePromptTokens, estimateRequestTokens, estimateTextTokens } from '../telemetry/tokens.js';
import { recordUsage } from '../telemetry/usage.js';
import { openStream, pipeStream } from './stream.js';
import { recordAttempt } from './upstream.js';

export async function chatCompletions(gw: Gateway, x: Exchange): Promise<void> {
  try {
    await gw.authenticate(x);
    const request = validateChatRequest(parseJsonObject(await readBody(x.req, gw.config.server.bodyLimitBytes)));
    x.model = request.model;
    const route = await decideRoute(gw, x, request);
    if (request.stream === true) {
      const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => openStream(t, request, o)), x);
      x.provider = target.provider.name;
      const events = await pipeStream(x, value, request.stream_options?.include_usage === true);
      if (events) await x.step(Span.responseProcessing, () => account(gw, x, request, target, x.usage, () => streamedText(events)));
    } else {
      const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => callJson(t, request, o)), x);
      x.provider = target.provider.name;
      await x.step(Span.responseProcessing, () => {
        account(gw, x, request, target, value.usage, () => value.value.choices[0]?.message.content ?? '');
        sendJson(x.res, 200, value.bytes, x.headers());
      });
    }
  } catch (err) {
    sendError(x.res, toGatewayError(err), x.headers());
  }
}

/** Resolves the route and admits the request against the caller's limits. */
function decideRoute(gw: Gateway, x: Exchange, request: ChatRequest): Promise<Route> {
  return x.step(Span.routingDecision, async (span) => {
    const route = gw.router.resolve(request.model);
    span.setAttribute(Attr.routeName, route.name);
    x.extraHeaders = await gw.limits.admit(x.caller!, estimateRequestTokens(request));
    return route;
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
  gw.limits.reconcile(x.caller!, estimateRequestTokens(request), used.total_tokens);
}

/** The text content of streamed chunk payloads (only parsed when usage must be estimated). */
function streamedText(events: readonly string[]): string {
  let text = '';
  for (const payload of events) {
    const delta = (JSON.parse(payload) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta;
    if (delta?.content) text += delta.content;
  }
  return text;
}
