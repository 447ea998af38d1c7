/**
 * ConverseStream events -> OpenAI chat-completion chunks, one translator per stream:
 * `messageStart` opens the assistant turn, `contentBlockStart` of a toolUse opens a tool call
 * (id and name), `contentBlockDelta` text and toolUse input fragments become content and
 * argument deltas, `messageStop` carries the finish reason, and `metadata` (after messageStop,
 * the terminal event) ends the stream with a usage-only chunk. Exception messages are
 * UpstreamErrors.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatChunk, Usage } from '../../api/types.js';
import { parseObject } from '../answer-checks.js';
import type { StreamEvent } from '../types.js';
import { UpstreamError } from '../upstream-error.js';
import { streamException } from './errors.js';
import type { MessageTranslator, StreamMessage } from './event-stream.js';
import { finishReason, toUsage, type ConverseUsage } from './response.js';

type Delta = ChatChunk['choices'][number]['delta'];

export class ConverseStreamTranslator implements MessageTranslator {
  readonly terminal = 'its metadata event after messageStop';
  private readonly created = Math.floor(Date.now() / 1000);
  /** Converse content-block index -> OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  /** Content blocks of the tool that carries the JSON answer: their input is content. */
  private readonly answerBlocks = new Set<number>();
  private stopped = false;
  /** True once `metadata` arrived after `messageStop`: the only proper end of a stream. */
  done = false;

  constructor(
    private readonly provider: string,
    private readonly id: string,
    private readonly model: string,
    /** The forced tool whose input is the answer (response_format), if any. */
    private readonly answerTool: string | undefined,
  ) {}

  translate({ headers, payload }: StreamMessage): StreamEvent[] {
    const kind = headers[':message-type'];
    if (kind === 'exception') {
      throw streamException(this.provider, headers[':exception-type'] ?? 'unknownException', stringField(parseObject(payload)?.message));
    }
    if (kind === 'error') {
      throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `${headers[':error-code'] ?? 'error'}: ${headers[':error-message'] ?? 'stream error'}`);
    }
    const event = parseObject(payload) as Record<string, any> | undefined;
    if (!event) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed stream event');
    switch (headers[':event-type']) {
      case 'messageStart':
        return [this.chunk({ role: 'assistant', content: '' }, null)];
      case 'contentBlockStart': {
        const use = event.start?.toolUse;
        if (!use) return [];
        const block = Number(event.contentBlockIndex ?? 0);
        if (this.answerTool !== undefined && use.name === this.answerTool) {
          this.answerBlocks.add(block);
          return [];
        }
        const index = this.toolIndex.size;
        this.toolIndex.set(block, index);
        return [this.chunk({ tool_calls: [{ index, id: String(use.toolUseId ?? ''), type: 'function', function: { name: String(use.name ?? ''), arguments: '' } }] }, null)];
      }
      case 'contentBlockDelta': {
        const delta = event.delta ?? {};
        const block = Number(event.contentBlockIndex ?? 0);
        if (typeof delta.text === 'string') return [this.chunk({ content: delta.text }, null)];
        const input = delta.toolUse?.input;
        if (typeof input !== 'string') return []; // reasoning and citation deltas have no OpenAI counterpart
        if (this.answerBlocks.has(block)) return [this.chunk({ content: input }, null)];
        return [this.chunk({ tool_calls: [{ index: this.toolIndex.get(block) ?? 0, function: { arguments: input } }] }, null)];
      }
      case 'messageStop':
        this.stopped = true;
        return [this.chunk({}, finishReason(event.stopReason, this.answerBlocks.size > 0))];
      case 'metadata': {
        if (!this.stopped) return []; // only metadata after messageStop ends the stream
        this.done = true;
        const usage = toUsage(event.usage as ConverseUsage | undefined);
        return usage ? [this.usageChunk(usage)] : [];
      }
      default:
        return []; // contentBlockStop, and events added later
    }
  }

  private chunk(delta: Delta, finish: ChatChunk['choices'][number]['finish_reason']): StreamEvent {
    const chunk: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
    return { payload: JSON.stringify(chunk), chunk };
  }

  private usageChunk(usage: Usage): StreamEvent {
    const chunk: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
    return { payload: JSON.stringify(chunk), chunk, usage, usageOnly: true };
  }
}

function stringField(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
