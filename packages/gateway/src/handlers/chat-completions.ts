/**
 * `POST /v1/chat/completions`: authenticate, read and validate the body, route, call the
 * provider targets in order, and answer as JSON or as an SSE stream.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest } from '../api/types.js';
import { validateChatRequest } from '../api/validate.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { toGatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sendError, sendJson, sseErrorFrame, startSse, writeFrame } from '../http/respond.js';
import { sseData, SSE_DONE } from '../providers/sse.js';
import type { CallOptions, JsonAnswer, StreamAnswer, StreamEvent } from '../providers/types.js';
import type { Target } from '../routing/router.js';
import { UpstreamError } from '../providers/upstream-error.js';
import { estimateRequestTokens } from '../telemetry/tokens.js';
import { recordAttempt } from './upstream.js';

/** A stream whose first event already arrived: the point after which it cannot fail over. */
interface OpenedStream {
  readonly answer: StreamAnswer;
  readonly first: StreamEvent | undefined;
}

export async function chatCompletions(gw: Gateway, x: Exchange): Promise<void> {
  try {
    gw.authenticate(x);
    const request = validateChatRequest(parseJsonObject(await readBody(x.req, gw.config.server.bodyLimitBytes)));
    x.model = request.model;
    const stream = request.stream === true;
    const route = gw.router.resolve(request.model);
    x.extraHeaders = await gw.limits.admit(x.caller!, estimateRequestTokens(request));
    if (stream) {
      const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => openStream(t, request, o)), x);
      x.provider = target.provider.name;
      await pipeStream(x, value, request.stream_options?.include_usage === true);
    } else {
      const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => callJson(t, request, o)), x);
      x.provider = target.provider.name;
      x.usage = value.usage;
      sendJson(x.res, 200, value.bytes, x.headers());
    }
  } catch (err) {
    sendError(x.res, toGatewayError(err), x.headers());
  }
}

async function callJson(target: Target, request: ChatRequest, options: CallOptions): Promise<JsonAnswer<ChatCompletion>> {
  const answer = await target.provider.chat({ ...request, model: target.model }, false, options);
  if (answer.kind !== 'json') throw new Error(`provider ${target.provider.name} answered a JSON request with a stream`);
  return answer;
}

/** Opens a stream and waits for its first event, so a target that fails before it can be left for the next. */
async function openStream(target: Target, request: ChatRequest, options: CallOptions): Promise<OpenedStream> {
  const answer = await target.provider.chat({ ...request, model: target.model }, true, options);
  if (answer.kind !== 'stream') throw new Error(`provider ${target.provider.name} answered a stream request with JSON`);
  try {
    const first = await answer.events.next();
    return { answer, first: first.done ? undefined : first.value };
  } catch (err) {
    answer.cancel();
    throw err;
  }
}

async function pipeStream(x: Exchange, opened: OpenedStream, includeUsage: boolean): Promise<void> {
  const { answer } = opened;
  const res = x.res;
  startSse(res, x.headers());
  x.firstByteAt = performance.now();
  const write = (event: StreamEvent) => {
    if (event.usage) x.usage = event.usage;
    if (event.usageOnly && !includeUsage) return undefined;
    return writeFrame(res, sseData(event.payload));
  };
  try {
    if (opened.first) await write(opened.first);
    for (;;) {
      if (x.signal.aborted) {
        answer.cancel();
        return;
      }
      const next = await answer.events.next();
      if (next.done) break;
      await write(next.value);
    }
    res.end(SSE_DONE);
  } catch (err) {
    answer.cancel();
    const reason = err instanceof UpstreamError ? err.reason : ProviderErrorReason.streamBroken;
    const message = err instanceof UpstreamError ? err.message : 'the stream failed';
    if (!res.destroyed) res.end(sseErrorFrame(`Provider ${x.provider} stream failed: ${message}`, 'upstream_error', reason));
  }
}
