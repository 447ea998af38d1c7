/**
 * The Responses API spoken natively (the `responses` dialect to OpenAI): the caller's body goes
 * upstream as it is, so reasoning items, built-in tools and stored-response features survive.
 * Answers stay OpenAI's bytes and events; only usage is read, for limits, cost and telemetry.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { Usage } from '../../api/types.js';
import { checkedUsage, isCount, parseObject } from '../answer-checks.js';
import type { SseEvent } from '../sse.js';
import type { StreamDecoder } from '../stream-batches.js';
import type { JsonAnswer, StreamEvent } from '../types.js';
import { UpstreamError } from '../upstream-error.js';

/** The Responses endpoint the native path serves. */
export const RESPONSES_PATH = '/v1/responses';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A finished Response object: `completed` or `incomplete` with its output list (a background
 * response may still be `queued` or `in_progress`). `failed` or `cancelled`, or an error object,
 * is a provider failure.
 */
export function isFinishedResponse(v: Json): boolean {
  if (v.object !== 'response' || !Array.isArray(v.output) || !v.output.every(isObject) || isObject(v.error)) return false;
  if (v.status === 'completed' || v.status === 'incomplete') return true;
  return v.background === true && (v.status === 'queued' || v.status === 'in_progress');
}

/** Responses usage (`input_tokens`, `output_tokens`, their details) as canonical usage, when its counts are counts. */
export function fromResponsesUsage(u: unknown): Usage | undefined {
  if (!isObject(u) || !isCount(u.input_tokens) || !isCount(u.output_tokens)) return undefined;
  const input = u.input_tokens_details as { cached_tokens?: unknown } | undefined;
  const output = u.output_tokens_details as { reasoning_tokens?: unknown } | undefined;
  const usage: Json = { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.total_tokens };
  if (isCount(input?.cached_tokens)) usage.prompt_tokens_details = { cached_tokens: input.cached_tokens };
  if (isCount(output?.reasoning_tokens)) usage.completion_tokens_details = { reasoning_tokens: output.reasoning_tokens };
  return checkedUsage(usage);
}

/**
 * A native JSON answer checked to be whole. A body cut short, a failed response or an error
 * sent with 200 is a provider failure, never an answer passed on or cached.
 */
export function nativeResponsesJson(provider: string, status: number, bytes: Buffer): JsonAnswer<Json> {
  const value = parseObject(bytes.toString('utf8'));
  if (!value || !isFinishedResponse(value)) {
    const what = !value ? 'a body that is not a whole JSON object' : failureOf(value) ?? 'something other than a finished response';
    throw new UpstreamError(provider, ProviderErrorReason.server, `answered HTTP ${status} with ${what}`);
  }
  return { kind: 'json', bytes, value, usage: fromResponsesUsage(value.usage) };
}

/** What a failed response or an error object says, for the UpstreamError. */
function failureOf(v: Json): string | undefined {
  const err = isObject(v.error) ? v.error : isObject(v.response) && isObject(v.response.error) ? v.response.error : undefined;
  if (err) return `an error (${String(err.code ?? err.type ?? 'error')}: ${String(err.message ?? '')})`;
  if (v.status === 'failed' || v.status === 'cancelled') return `a ${v.status} response`;
  return undefined;
}

/** The reason an `error` event (documented flat, sent nested under `error`) or a `response.failed` gives. */
function streamFailure(event: Json): string {
  const err = isObject(event.error) ? event.error : isObject(event.response) && isObject(event.response.error) ? event.response.error : event;
  const code = err.code ?? err.type;
  const message = typeof err.message === 'string' ? err.message : 'no message';
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

const TERMINAL = new Set(['response.completed', 'response.incomplete']);

/**
 * OpenAI's Responses SSE events passed on as they are. Only the terminal events (which carry
 * the whole response and its usage) and failures are parsed: `response.completed` or
 * `response.incomplete` ends the stream with its usage; `response.failed` and `error` events
 * are UpstreamErrors.
 */
export class NativeResponsesStream implements StreamDecoder {
  readonly terminal = 'response.completed';
  done = false;

  constructor(private readonly provider: string) {}

  decode({ event, data }: SseEvent): StreamEvent[] {
    const parsed = event === undefined ? this.parse(data) : undefined;
    const type = event ?? (parsed?.type as string | undefined);
    if (type === 'error' || type === 'response.failed') {
      throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `sent ${type}: ${streamFailure(parsed ?? this.parse(data))}`);
    }
    if (type === undefined || !TERMINAL.has(type)) return [{ payload: data }];
    const body = parsed ?? this.parse(data);
    this.done = true;
    const usage = isObject(body.response) ? fromResponsesUsage(body.response.usage) : undefined;
    return [usage ? { payload: data, usage } : { payload: data }];
  }

  private parse(data: string): Json {
    const event = parseObject(data);
    if (!event) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed stream event');
    return event;
  }
}
