/**
 * The Messages API spoken natively (the `messages` dialect to Anthropic): the caller's body goes
 * upstream as it is, so `cache_control`, thinking blocks, server tools and `anthropic-beta`
 * features survive. Answers stay Anthropic's bytes and events; only usage is read, for limits,
 * cost and telemetry.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import { isCount, parseObject } from '../answer-checks.js';
import type { SseEvent } from '../sse.js';
import type { StreamDecoder } from '../stream-batches.js';
import type { JsonAnswer, StreamEvent } from '../types.js';
import { UpstreamError } from '../upstream-error.js';
import { isAnthropicMessage, toUsage, type AnthropicUsage } from './response.js';
import { stripNulls } from './stream.js';

/** The Messages endpoints the native path serves. */
export const MESSAGES_PATH = '/v1/messages';
export const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/**
 * A native JSON answer checked to be whole: a Message for `/v1/messages`, `{input_tokens}` for
 * count_tokens. A body cut short or an error sent with 200 is a provider failure, never an answer.
 */
export function nativeJsonAnswer(provider: string, path: string, status: number, bytes: Buffer): JsonAnswer<Record<string, unknown>> {
  const value = parseObject(bytes.toString('utf8'));
  const whole = value !== undefined && (path === COUNT_TOKENS_PATH ? isCount(value.input_tokens) : isAnthropicMessage(value));
  if (!value || !whole) {
    const what = path === COUNT_TOKENS_PATH ? 'a token count' : 'a message';
    throw new UpstreamError(provider, ProviderErrorReason.server, `answered HTTP ${status} with ${value ? `something other than ${what}` : 'a body that is not a whole JSON object'}`);
  }
  const usage = path === COUNT_TOKENS_PATH ? undefined : toUsage(value.usage as AnthropicUsage | undefined);
  return { kind: 'json', bytes, value, usage };
}

/**
 * Anthropic's SSE events passed on as they are. Only the events that carry usage
 * (`message_start`, `message_delta`) and `error` are parsed; each usage-carrying event has the
 * whole message's usage so far (input counts from message_start merged with message_delta's), so
 * the last one, on message_delta, is final.
 */
export class NativeMessagesStream implements StreamDecoder {
  readonly terminal = 'message_stop';
  done = false;
  private usage: AnthropicUsage = {};

  constructor(private readonly provider: string) {}

  decode({ event, data }: SseEvent): StreamEvent[] {
    const type = event ?? (parseObject(data)?.type as string | undefined);
    switch (type) {
      case 'message_start': {
        const message = this.parse(data).message as { usage?: AnthropicUsage } | undefined;
        this.usage = stripNulls({ ...message?.usage });
        return [this.withUsage(data)];
      }
      case 'message_delta': {
        const delta = this.parse(data).usage as Record<string, unknown> | undefined;
        if (delta) this.usage = { ...this.usage, ...stripNulls(delta) };
        return [this.withUsage(data)];
      }
      case 'message_stop':
        this.done = true;
        return [{ payload: data }];
      case 'error': {
        const err = (this.parse(data).error ?? {}) as { type?: string; message?: string };
        throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `${err.type ?? 'error'}: ${err.message ?? 'stream error'}`);
      }
      default:
        return [{ payload: data }];
    }
  }

  private withUsage(payload: string): StreamEvent {
    const usage = toUsage(this.usage);
    return usage ? { payload, usage } : { payload };
  }

  private parse(data: string): Record<string, unknown> {
    const event = parseObject(data);
    if (!event) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed stream event');
    return event;
  }
}
