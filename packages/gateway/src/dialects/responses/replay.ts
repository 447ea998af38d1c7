/**
 * A stored answer served in the other shape: a Response object replayed as the event sequence a
 * live stream of it would have sent, and a complete stream's events back to the Response object
 * (its terminal event carries the whole response).
 */
import { emptyPart, EventWriter, eventType } from './events.js';
import { isObject } from './fields.js';
import type { OutputItem } from './types.js';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * The event payloads for a stored Response object (ours or OpenAI's; items of other types, such
 * as reasoning, are replayed as added and done).
 * @throws Error when `body` is not a Response object (a stored answer is always one)
 */
export function jsonToEvents(body: Buffer): string[] {
  const response: unknown = JSON.parse(body.toString('utf8'));
  if (!isObject(response) || response.object !== 'response' || !Array.isArray(response.output)) {
    throw new Error('jsonToEvents: the stored body is not a Response object');
  }
  const events = new EventWriter();
  const status = typeof response.status === 'string' ? response.status : 'completed';
  const start = { ...response, status: 'in_progress', output: [], usage: null, incomplete_details: null };
  const out = [events.lifecycle('response.created', start), events.lifecycle('response.in_progress', start)];
  response.output.forEach((item: unknown, index: number) => {
    if (isObject(item)) replayItem(events, out, item as OutputItem, index);
  });
  const terminal = status === 'incomplete' ? 'response.incomplete' : status === 'failed' ? 'response.failed' : 'response.completed';
  out.push(events.lifecycle(terminal, response));
  return out;
}

function replayItem(events: EventWriter, out: string[], item: OutputItem, index: number): void {
  const id = typeof item.id === 'string' ? item.id : '';
  if (item.type === 'message' && Array.isArray(item.content)) {
    out.push(events.itemAdded(index, { ...item, status: 'in_progress', content: [] }));
    item.content.forEach((part: unknown, k: number) => {
      if (!isObject(part)) return;
      out.push(events.partAdded(id, index, k, emptyPart(part)));
      if (part.type === 'refusal' && typeof part.refusal === 'string') {
        out.push(events.refusalDelta(id, index, k, part.refusal), events.refusalDone(id, index, k, part.refusal));
      } else if (typeof part.text === 'string') {
        out.push(events.textDelta(id, index, k, part.text), events.textDone(id, index, k, part.text));
      }
      out.push(events.partDone(id, index, k, part));
    });
  } else if (item.type === 'function_call' && typeof item.arguments === 'string') {
    out.push(events.itemAdded(index, { ...item, status: 'in_progress', arguments: '' }));
    out.push(events.argumentsDelta(id, index, item.arguments));
    out.push(events.argumentsDone(id, index, typeof item.name === 'string' ? item.name : '', item.arguments));
  } else {
    out.push(events.itemAdded(index, item));
  }
  out.push(events.itemDone(index, item));
}

/**
 * The Response object of a complete stream: the `response` of its terminal event.
 * @throws Error when the events hold no terminal event (only complete streams are stored)
 */
export function eventsToJson(events: readonly string[]): Buffer {
  for (let i = events.length - 1; i >= 0; i--) {
    const payload = events[i] as string;
    if (!TERMINAL.has(eventType(payload))) continue;
    const event = JSON.parse(payload) as { response?: unknown };
    if (isObject(event.response)) return Buffer.from(JSON.stringify(event.response));
  }
  throw new Error('eventsToJson: the stream has no response.completed, response.incomplete or response.failed event');
}

/** One payload framed as the Responses API frames it: `event: <type>` and `data: <payload>`. */
export function frame(payload: string): string {
  return `event: ${eventType(payload)}\ndata: ${payload}\n\n`;
}
