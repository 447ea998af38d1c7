/**
 * The Responses stream's event payloads, numbered: every event carries `type` first (so framing
 * finds it without parsing) and a `sequence_number` counting from 0. The live stream encoder
 * and the replay of a stored answer both write through this, so both send the same events.
 */
import type { OutputItem, ResponseObject } from './types.js';

type Part = Record<string, unknown>;

export class EventWriter {
  /** @param next the sequence number of the first event written (default 0) */
  constructor(private next = 0) {}

  /** The number the next event gets (how many were written). */
  get sequenceNumber(): number {
    return this.next;
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return JSON.stringify({ type, sequence_number: this.next++, ...fields });
  }

  /** `response.created`, `response.in_progress`, `response.completed`, `response.incomplete`, `response.failed`. */
  lifecycle(type: string, response: ResponseObject | Record<string, unknown>): string {
    return this.event(type, { response });
  }

  itemAdded(outputIndex: number, item: OutputItem): string {
    return this.event('response.output_item.added', { output_index: outputIndex, item });
  }

  itemDone(outputIndex: number, item: OutputItem): string {
    return this.event('response.output_item.done', { output_index: outputIndex, item });
  }

  partAdded(itemId: string, outputIndex: number, contentIndex: number, part: Part): string {
    return this.event('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, part });
  }

  partDone(itemId: string, outputIndex: number, contentIndex: number, part: Part): string {
    return this.event('response.content_part.done', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, part });
  }

  textDelta(itemId: string, outputIndex: number, contentIndex: number, delta: string): string {
    return this.event('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, delta, logprobs: [] });
  }

  textDone(itemId: string, outputIndex: number, contentIndex: number, text: string): string {
    return this.event('response.output_text.done', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, text, logprobs: [] });
  }

  refusalDelta(itemId: string, outputIndex: number, contentIndex: number, delta: string): string {
    return this.event('response.refusal.delta', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, delta });
  }

  refusalDone(itemId: string, outputIndex: number, contentIndex: number, refusal: string): string {
    return this.event('response.refusal.done', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, refusal });
  }

  argumentsDelta(itemId: string, outputIndex: number, delta: string): string {
    return this.event('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta });
  }

  argumentsDone(itemId: string, outputIndex: number, name: string, args: string): string {
    return this.event('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, name, arguments: args });
  }

  /** The `error` event (after `sequence_number` events were sent). */
  error(fields: Record<string, unknown>): string {
    return this.event('error', fields);
  }
}

/** A content part as it starts in a stream: its text (or refusal) still empty. */
export function emptyPart(part: Part): Part {
  return part.type === 'refusal' ? { type: 'refusal', refusal: '' } : { ...part, text: '' };
}

/** The event type's name: `type` is written first, so a payload of ours is read without parsing. */
export function eventType(payload: string): string {
  const prefix = '{"type":"';
  if (payload.startsWith(prefix)) {
    const end = payload.indexOf('"', prefix.length);
    if (end !== -1) return payload.slice(prefix.length, end);
  }
  try {
    const parsed = JSON.parse(payload) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : 'message';
  } catch {
    return 'message';
  }
}
