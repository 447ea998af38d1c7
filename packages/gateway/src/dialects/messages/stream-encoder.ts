/**
 * Canonical chunks -> Anthropic's stream event sequence, one encoder per answer:
 * `message_start`, then per content block `content_block_start` / `content_block_delta`
 * (`text_delta`, `input_json_delta`) / `content_block_stop`, and at the end `message_delta`
 * (stop reason and usage) and `message_stop`. Payloads are the events' data JSON, `type` first
 * so `frame` finds it without parsing.
 */
import type { ChatChunk, FinishReason, Usage } from '../../api/types.js';
import { estimatePromptTokens } from '../../telemetry/tokens.js';
import type { StreamEncoder } from '../types.js';
import { messageId, messageUsage, stopReason } from './answer.js';
import type { MessagesDecoded } from './decode.js';

type ToolCallDelta = NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number];

export class MessagesStreamEncoder implements StreamEncoder {
  private started = false;
  private id = '';
  /** Index of the block that is open (started, not stopped), if any. */
  private open: number | undefined;
  /** Whether the open block is the text block (text deltas go on in it). */
  private openIsText = false;
  private nextIndex = 0;
  /** Canonical tool_calls index -> content block index. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;
  /** Input tokens claimed in message_start, before the provider's count is known. */
  private readonly estimatedInput: number;

  constructor(private readonly request: Pick<MessagesDecoded, 'model' | 'canonical'>) {
    this.estimatedInput = estimatePromptTokens(request.canonical);
  }

  push(chunk: ChatChunk): string[] {
    const out: string[] = [];
    if (!this.started) this.start(chunk, out);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return out;
    const { content, tool_calls: calls } = choice.delta;
    if (typeof content === 'string' && content !== '') this.text(content, out);
    for (const call of calls ?? []) this.toolCall(call, out);
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  end(usage: Usage | undefined): string[] {
    const out: string[] = [];
    if (!this.started) this.start(undefined, out);
    this.stopOpen(out);
    const final = messageUsage(usage ?? this.usage, this.estimatedInput);
    out.push(
      JSON.stringify({ type: 'message_delta', delta: { stop_reason: stopReason(this.finish) ?? 'end_turn', stop_sequence: null }, usage: final }),
      '{"type":"message_stop"}',
    );
    return out;
  }

  private start(chunk: ChatChunk | undefined, out: string[]): void {
    this.started = true;
    this.id = messageId(chunk?.id);
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: chunk?.model || this.request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The provider's count arrives with the last chunk; message_delta corrects this estimate.
      usage: { input_tokens: this.estimatedInput, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    out.push(JSON.stringify({ type: 'message_start', message }));
  }

  private text(text: string, out: string[]): void {
    if (this.open === undefined || !this.openIsText) {
      this.startBlock({ type: 'text', text: '' }, out);
      this.openIsText = true;
    }
    out.push(JSON.stringify({ type: 'content_block_delta', index: this.open, delta: { type: 'text_delta', text } }));
  }

  private toolCall(call: ToolCallDelta, out: string[]): void {
    let index = this.toolBlocks.get(call.index);
    if (index === undefined) {
      // A provider that leaves the id out of the first delta still gets a unique, stable one.
      const id = call.id || `toolu_${this.id.slice(4)}_${call.index}`;
      index = this.startBlock({ type: 'tool_use', id, name: call.function?.name ?? '', input: {} }, out);
      this.toolBlocks.set(call.index, index);
    }
    const partial = call.function?.arguments;
    // Interleaved tool calls stay addressable: deltas name their block's index, as clients accumulate by index.
    if (partial) out.push(JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } }));
  }

  private startBlock(block: Record<string, unknown>, out: string[]): number {
    this.stopOpen(out);
    const index = this.nextIndex++;
    this.open = index;
    this.openIsText = false;
    out.push(JSON.stringify({ type: 'content_block_start', index, content_block: block }));
    return index;
  }

  private stopOpen(out: string[]): void {
    if (this.open === undefined) return;
    out.push(`{"type":"content_block_stop","index":${this.open}}`);
    this.open = undefined;
  }
}

/** An encoder for one streamed answer to a Messages caller. */
export function streamEncoder(request: Pick<MessagesDecoded, 'model' | 'canonical'>): StreamEncoder {
  return new MessagesStreamEncoder(request);
}
