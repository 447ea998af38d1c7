/**
 * Canonical chat.completion.chunk payloads as the Responses event sequence: the lifecycle
 * events (created, in_progress; completed or incomplete at the end, with the whole response),
 * and per output item its added / delta / done events. Items are written one after the other,
 * as OpenAI streams them: a new item (text after tool calls, the next tool call) closes the
 * open one.
 */
import type { ChatChunk, FinishReason, Usage } from '../../api/types.js';
import type { StreamEncoder } from '../types.js';
import { functionCallItem, outputText } from './encode-json.js';
import { EventWriter } from './events.js';
import { functionCallItemId, messageItemId } from './ids.js';
import { responseObject, statusOf } from './response-object.js';
import type { OutputItem, ResponsesDecoded } from './types.js';

interface OpenMessage {
  readonly kind: 'message';
  readonly index: number;
  readonly item: OutputItem & { id: string; content: Array<Record<string, unknown>> };
  /** The part being streamed: its index in `content`, its type. */
  part: { index: number; type: 'output_text' | 'refusal'; value: string } | null;
}

interface FunctionCall {
  readonly kind: 'call';
  readonly index: number;
  readonly item: OutputItem & { id: string; name: string; arguments: string };
}

/** A stream encoder that can also write the Responses `error` event with the next sequence number. */
export interface ResponsesStreamEncoder extends StreamEncoder {
  /** The number the next event would carry. */
  readonly sequenceNumber: number;
}

/**
 * @example
 * const enc = streamEncoder(decoded);
 * const payloads = [...chunks.flatMap((c) => enc.push(c)), ...enc.end(usage)];
 */
export function streamEncoder(request: ResponsesDecoded): ResponsesStreamEncoder {
  return new ResponsesEncoder(request);
}

class ResponsesEncoder implements ResponsesStreamEncoder {
  private readonly events = new EventWriter();
  private started = false;
  private model: string;
  private createdAt = 0;
  private readonly output: OutputItem[] = [];
  private open: OpenMessage | FunctionCall | null = null;
  /** Tool calls by their canonical index. */
  private readonly calls = new Map<number, FunctionCall>();
  private finish: FinishReason | null = null;

  constructor(private readonly request: ResponsesDecoded) {
    this.model = request.model;
  }

  get sequenceNumber(): number {
    return this.events.sequenceNumber;
  }

  push(chunk: ChatChunk): string[] {
    const out: string[] = [];
    if (!this.started) this.start(out, chunk.model, chunk.created);
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return out;
    const delta = choice.delta as ChatChunk['choices'][number]['delta'] & { refusal?: unknown };
    if (typeof delta.content === 'string' && delta.content !== '') this.text(out, 'output_text', delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.text(out, 'refusal', delta.refusal);
    for (const tc of delta.tool_calls ?? []) this.toolCall(out, tc);
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  end(usage: Usage | undefined): string[] {
    const out: string[] = [];
    if (!this.started) this.start(out, this.model, Math.floor(Date.now() / 1000));
    const { status, incompleteReason } = statusOf(this.finish);
    this.close(out, status === 'incomplete' ? 'incomplete' : 'completed');
    const response = responseObject(this.request, { model: this.model, createdAt: this.createdAt, status, incompleteReason, output: this.output, usage });
    out.push(this.events.lifecycle(status === 'incomplete' ? 'response.incomplete' : 'response.completed', response));
    return out;
  }

  private start(out: string[], model: string, createdAt: number): void {
    this.started = true;
    this.model = model || this.request.model;
    this.createdAt = createdAt;
    const response = responseObject(this.request, { model: this.model, createdAt, status: 'in_progress', output: [], usage: undefined });
    out.push(this.events.lifecycle('response.created', response));
    out.push(this.events.lifecycle('response.in_progress', response));
  }

  private text(out: string[], type: 'output_text' | 'refusal', delta: string): void {
    let message = this.open?.kind === 'message' ? this.open : null;
    if (!message) {
      this.close(out, 'completed');
      const index = this.output.length;
      const item = { type: 'message', id: messageItemId(this.request.responseId, index), status: 'in_progress', role: 'assistant', content: [] as Array<Record<string, unknown>> };
      message = { kind: 'message', index, item, part: null };
      this.open = message;
      this.output.push(item);
      out.push(this.events.itemAdded(index, { ...item, content: [] }));
    }
    if (message.part?.type !== type) {
      this.closePart(out, message);
      const part = { index: message.item.content.length, type, value: '' };
      message.part = part;
      const empty = type === 'refusal' ? { type, refusal: '' } : outputText('');
      message.item.content.push(empty);
      out.push(this.events.partAdded(message.item.id, message.index, part.index, empty));
    }
    const part = message.part as NonNullable<OpenMessage['part']>;
    part.value += delta;
    out.push(
      type === 'refusal'
        ? this.events.refusalDelta(message.item.id, message.index, part.index, delta)
        : this.events.textDelta(message.item.id, message.index, part.index, delta),
    );
  }

  private toolCall(out: string[], tc: NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number]): void {
    let call = this.calls.get(tc.index);
    if (!call) {
      this.close(out, 'completed');
      const index = this.output.length;
      const item = functionCallItem(functionCallItemId(this.request.responseId, index), tc.id ?? `call_${index}`, tc.function?.name ?? '', '', 'in_progress') as FunctionCall['item'];
      call = { kind: 'call', index, item };
      this.calls.set(tc.index, call);
      this.open = call;
      this.output.push(item);
      out.push(this.events.itemAdded(index, { ...item }));
    } else if (tc.function?.name && call.item.name === '') {
      call.item.name = tc.function.name;
    }
    const fragment = tc.function?.arguments;
    if (!fragment) return;
    call.item.arguments += fragment;
    // A fragment for a call already closed (a provider interleaving calls) still reaches the
    // final response; its item's events were already sent, so no delta is written for it.
    if (this.open === call) out.push(this.events.argumentsDelta(call.item.id, call.index, fragment));
  }

  private closePart(out: string[], message: OpenMessage): void {
    const part = message.part;
    if (!part) return;
    const { id } = message.item;
    const done = part.type === 'refusal' ? { type: 'refusal', refusal: part.value } : outputText(part.value);
    message.item.content[part.index] = done;
    out.push(
      part.type === 'refusal'
        ? this.events.refusalDone(id, message.index, part.index, part.value)
        : this.events.textDone(id, message.index, part.index, part.value),
    );
    out.push(this.events.partDone(id, message.index, part.index, done));
    message.part = null;
  }

  /** Closes the open item; `status` is the item's final status. */
  private close(out: string[], status: 'completed' | 'incomplete'): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    if (open.kind === 'message') {
      this.closePart(out, open);
      open.item.status = status;
      out.push(this.events.itemDone(open.index, { ...open.item, content: [...open.item.content] }));
      return;
    }
    open.item.status = 'completed';
    out.push(this.events.argumentsDone(open.item.id, open.index, open.item.name, open.item.arguments));
    out.push(this.events.itemDone(open.index, { ...open.item }));
  }
}
