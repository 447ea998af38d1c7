/**
 * Gemini's `streamGenerateContent?alt=sse` -> OpenAI chat-completion chunks. Each SSE event is a
 * whole `GenerateContentResponse` carrying the next piece of each candidate: text parts become
 * content deltas, a `functionCall` part (Gemini sends each call whole) one tool-call delta, a
 * `finishReason` the finish chunk. `usageMetadata` rides on every event, the last one final.
 *
 * Gemini has no terminal event (no `[DONE]`, no `message_stop`): a stream is complete when its
 * body ends after every candidate it started has a finishReason. Then the usage-only chunk goes
 * out; a body that ends before that is a broken stream.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatChunk, FinishReason } from '../../api/types.js';
import { parseObject } from '../answer-checks.js';
import type { SseEvent } from '../sse.js';
import type { StreamDecoder } from '../stream-batches.js';
import type { StreamEvent } from '../types.js';
import { UpstreamError } from '../upstream-error.js';
import { completionId, finishReason, isObject, toToolCall, toUsage } from './response.js';

type Json = Record<string, unknown>;
type Delta = ChatChunk['choices'][number]['delta'];

interface CandidateState {
  tools: number;
  finished: boolean;
}

export class GeminiStreamTranslator implements StreamDecoder {
  readonly terminal = 'a finishReason';
  /** Never set: the stream ends with its body (see `end`). */
  readonly done = false;
  private id = '';
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private usageMetadata: unknown;
  private readonly candidates = new Map<number, CandidateState>();
  private blocked = false;

  constructor(
    private readonly provider: string,
    model: string,
  ) {
    this.model = model;
  }

  decode({ data }: SseEvent): StreamEvent[] {
    const event = parseObject(data);
    if (!event) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed stream event');
    if (isObject(event.error)) {
      const err = event.error;
      throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `${String(err.status ?? err.code ?? 'error')}: ${String(err.message ?? 'stream error')}`);
    }
    if (this.id === '') this.id = completionId(event.responseId);
    if (typeof event.modelVersion === 'string' && event.modelVersion !== '') this.model = event.modelVersion;
    if (event.usageMetadata !== undefined) this.usageMetadata = event.usageMetadata;
    const out: StreamEvent[] = [];
    const candidates = Array.isArray(event.candidates) ? event.candidates : [];
    if (candidates.length === 0 && isObject(event.promptFeedback) && typeof event.promptFeedback.blockReason === 'string') {
      // The prompt was refused before any candidate began.
      this.blocked = true;
      out.push(this.chunk(0, { role: 'assistant', content: '' }, null), this.chunk(0, {}, 'content_filter'));
      return out;
    }
    candidates.forEach((candidate, i) => {
      if (!isObject(candidate)) throw new UpstreamError(this.provider, ProviderErrorReason.streamBroken, 'sent a malformed candidate');
      this.candidate(candidate, typeof candidate.index === 'number' ? candidate.index : i, out);
    });
    return out;
  }

  /** At the body's end: the usage-only chunk when every candidate finished, else undefined (broken). */
  end(): StreamEvent[] | undefined {
    const finished = this.blocked || (this.candidates.size > 0 && [...this.candidates.values()].every((c) => c.finished));
    if (!finished) return undefined;
    const usage = toUsage(this.usageMetadata);
    if (!usage) return [];
    const chunk: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
    return [{ payload: JSON.stringify(chunk), chunk, usage, usageOnly: true }];
  }

  private candidate(candidate: Json, index: number, out: StreamEvent[]): void {
    let state = this.candidates.get(index);
    if (!state) {
      state = { tools: 0, finished: false };
      this.candidates.set(index, state);
      out.push(this.chunk(index, { role: 'assistant', content: '' }, null));
    }
    const parts = isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
    for (const part of parts) {
      if (!isObject(part) || part.thought === true) continue;
      if (typeof part.text === 'string') {
        if (part.text !== '') out.push(this.chunk(index, { content: part.text }, null));
      } else if (isObject(part.functionCall)) {
        const call = toToolCall(part.functionCall, part.thoughtSignature);
        out.push(this.chunk(index, { tool_calls: [{ index: state.tools++, id: call.id, type: 'function', function: call.function }] }, null));
      }
    }
    const finish = finishReason(candidate.finishReason, state.tools > 0);
    if (finish && !state.finished) {
      state.finished = true;
      out.push(this.chunk(index, {}, finish));
    }
  }

  private chunk(index: number, delta: Delta, finish: FinishReason | null): StreamEvent {
    const chunk: ChatChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finish }],
    };
    return { payload: JSON.stringify(chunk), chunk };
  }
}
