/**
 * Message JSON <-> its stream event sequence, for the cache: a stored JSON answer replayed to a
 * streaming caller, and a stored stream served to a JSON caller. `eventsToJson` accumulates the
 * way `@anthropic-ai/sdk`'s `MessageStream` does, so both directions agree with what a client
 * would have built itself; `eventsToJson(jsonToEvents(m))` is `m`.
 */
import { toolInput } from './answer.js';
import type { Json } from './checks.js';
import type { Block, MessageAnswer } from './wire.js';

/** Blocks whose `input` streams as `input_json_delta` fragments. */
const INPUT_BLOCKS = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

const payload = (event: Json): string => JSON.stringify(event);

/** A block's start event and the deltas that fill it in. */
function blockEvents(block: Block, index: number): string[] {
  const out: string[] = [];
  const delta = (d: Json) => out.push(payload({ type: 'content_block_delta', index, delta: d }));
  const { type } = block;
  if (type === 'text') {
    const { citations, ...rest } = block;
    out.push(payload({ type: 'content_block_start', index, content_block: { ...rest, text: '' } }));
    if (block.text) delta({ type: 'text_delta', text: block.text });
    if (Array.isArray(citations)) for (const citation of citations) delta({ type: 'citations_delta', citation });
  } else if (INPUT_BLOCKS.has(type)) {
    out.push(payload({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
    delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) });
  } else if (type === 'thinking') {
    out.push(payload({ type: 'content_block_start', index, content_block: { ...block, thinking: '', signature: '' } }));
    if (block.thinking) delta({ type: 'thinking_delta', thinking: block.thinking });
    if (block.signature) delta({ type: 'signature_delta', signature: block.signature });
  } else {
    // redacted_thinking, server tool results, ...: whole in their start event, as the API sends them.
    out.push(payload({ type: 'content_block_start', index, content_block: block }));
  }
  out.push(payload({ type: 'content_block_stop', index }));
  return out;
}

/** A Message answer as the event payloads that stream it. */
export function jsonToEvents(body: Buffer | string): string[] {
  const message = JSON.parse(body.toString()) as MessageAnswer;
  const { content, stop_reason, stop_sequence, stop_details, usage, ...head } = message;
  const events = [payload({ type: 'message_start', message: { ...head, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } })];
  content.forEach((block, index) => events.push(...blockEvents(block, index)));
  const delta: Json = { stop_reason, stop_sequence };
  if (stop_details !== undefined) delta.stop_details = stop_details;
  events.push(payload({ type: 'message_delta', delta, usage }), payload({ type: 'message_stop' }));
  return events;
}

/** A complete event sequence as the Message it streamed. @throws Error when it has no message_start or message_stop */
export function eventsToJson(events: readonly string[]): Buffer {
  let message: (Json & { content: Block[]; usage: Json }) | undefined;
  const inputJson = new Map<number, string>();
  let stopped = false;
  for (const text of events) {
    const event = JSON.parse(text) as Json & { index: number; delta: Json };
    switch (event.type) {
      case 'message_start':
        message = event.message as typeof message;
        break;
      case 'content_block_start':
        message?.content.push({ ...(event.content_block as Block) });
        break;
      case 'content_block_delta': {
        const block = message?.content[event.index];
        if (block) applyDelta(block, event.delta, event.index, inputJson);
        break;
      }
      case 'message_delta':
        if (message) applyMessageDelta(message, event);
        break;
      case 'message_stop':
        stopped = true;
        break;
      default:
      // ping, content_block_stop
    }
  }
  if (!message || !stopped) throw new Error('eventsToJson: the event sequence is not a complete message stream');
  for (const [index, json] of inputJson) {
    const block = message.content[index];
    // As in encodeJson: input is always an object, also when a translated model streamed malformed arguments.
    if (block) block.input = toolInput(json);
  }
  return Buffer.from(JSON.stringify(message));
}

function applyDelta(block: Block, delta: Json, index: number, inputJson: Map<number, string>): void {
  switch (delta.type) {
    case 'text_delta':
      block.text = String(block.text ?? '') + String(delta.text ?? '');
      break;
    case 'citations_delta':
      block.citations = [...((block.citations as unknown[] | undefined) ?? []), delta.citation];
      break;
    case 'input_json_delta':
      inputJson.set(index, (inputJson.get(index) ?? '') + String(delta.partial_json ?? ''));
      break;
    case 'thinking_delta':
      block.thinking = String(block.thinking ?? '') + String(delta.thinking ?? '');
      break;
    case 'signature_delta':
      block.signature = delta.signature;
      break;
    default:
  }
}

/** Stop reason and final usage; usage counts other than output_tokens are whole-message totals, overwritten when present. */
function applyMessageDelta(message: Json & { usage: Json }, event: Json): void {
  const delta = (event.delta ?? {}) as Json;
  message.stop_reason = delta.stop_reason ?? null;
  message.stop_sequence = delta.stop_sequence ?? null;
  if (delta.stop_details !== undefined) message.stop_details = delta.stop_details;
  if (delta.container != null) message.container = delta.container;
  for (const [key, value] of Object.entries((event.usage ?? {}) as Json)) {
    if (value !== null && value !== undefined) message.usage[key] = value;
  }
}
