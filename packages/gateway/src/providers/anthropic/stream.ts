/**
 * Anthropic stream events -> OpenAI chat-completion chunks, one translator per stream:
 * `message_start` opens the assistant turn, text and `input_json_delta` deltas become content
 * and tool-call argument deltas, `message_delta` carries the finish reason, and `message_stop`
 * ends the stream with a usage-only chunk.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatChunk, Usage } from '../../api/types.js';
import { UpstreamError } from '../upstream-error.js';
import { parseObject } from '../answer-checks.js';
import type { StreamDecoder } from '../stream-batches.js';
import type { StreamEvent } from '../types.js';
import { finishReason, toUsage, type AnthropicUsage } from './response.js';

type Delta = ChatChunk['choices'][number]['delta'];

export class AnthropicStreamTranslator {
  private id = '';
  private model = '';
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: AnthropicUsage = {};
  /** Anthropic content-block index -> OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  /** True once `message_stop` arrived: the only proper end of a stream. */
  done = false;

  constructor(private readonly provider: string) {}

  /** Translates one event; returns the chunks it yields (often none). */
  translate(type: string | undefined, data: string): StreamEvent[] {
    const event = parseObject(data) as Record<string, any> | undefined;
    if (!event) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed stream event');
    switch (type ?? event.type) {
      case 'message_start': {
        const message = event.message ?? {};
        this.id = message.id ?? '';
        this.model = message.model ?? '';
        this.usage = { ...message.usage };
        return [this.chunk({ role: 'assistant', content: '' }, null)];
      }
      case 'content_block_start': {
        const block = event.content_block ?? {};
        if (block.type !== 'tool_use') return [];
        const index = this.toolIndex.size;
        this.toolIndex.set(event.index, index);
        return [this.chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] }, null)];
      }
      case 'content_block_delta': {
        const delta = event.delta ?? {};
        if (delta.type === 'text_delta') return [this.chunk({ content: delta.text }, null)];
        if (delta.type === 'input_json_delta') {
          const index = this.toolIndex.get(event.index) ?? 0;
          return [this.chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }, null)];
        }
        return [];
      }
      case 'message_delta': {
        if (event.usage) this.usage = { ...this.usage, ...stripNulls(event.usage) };
        return [this.chunk({}, finishReason(event.delta?.stop_reason) ?? 'stop')];
      }
      case 'message_stop': {
        this.done = true;
        const usage = toUsage(this.usage);
        if (!usage) return [];
        return [this.usageChunk(usage)];
      }
      case 'error': {
        const err = event.error ?? {};
        throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `${err.type ?? 'error'}: ${err.message ?? 'stream error'}`);
      }
      default:
        return []; // ping, content_block_stop, and events added later
    }
  }

  private chunk(delta: Delta, finish: ChatChunk['choices'][number]['finish_reason']): StreamEvent {
    const chunk: ChatChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    return { payload: JSON.stringify(chunk), chunk };
  }

  private usageChunk(usage: Usage): StreamEvent {
    const chunk: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
    return { payload: JSON.stringify(chunk), chunk, usage, usageOnly: true };
  }
}

/** A Messages event stream as OpenAI chunks, for `streamBatches` (Anthropic, and Claude on Vertex). */
export function messagesChatDecoder(provider: string): StreamDecoder {
  const translator = new AnthropicStreamTranslator(provider);
  return {
    terminal: 'message_stop',
    get done() {
      return translator.done;
    },
    decode: ({ event, data }) => translator.translate(event, data),
  };
}

/** Usage counts a stream event sets (`null` means "not reported here", never zero). */
export function stripNulls(u: Record<string, unknown>): AnthropicUsage {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== null && v !== undefined)) as AnthropicUsage;
}
