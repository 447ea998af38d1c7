/**
 * Serving a cached answer in the other shape: a finished stream as one chat.completion for a
 * JSON caller, and a JSON chat.completion as chunk payloads for a streaming caller.
 */
import type { ChatChunk, ChatCompletion, FinishReason, ToolCall, Usage } from '../api/types.js';

interface ChoiceParts {
  content: string;
  sawContent: boolean;
  refusal: string | undefined;
  tools: Map<number, ToolCall>;
  finish: FinishReason | null;
  logprobs: unknown[] | undefined;
}

/**
 * Assembles a finished stream's chunk payloads into the chat.completion the provider would have
 * answered: content concatenated, tool calls assembled from their deltas by index, the last
 * finish_reason, usage from the usage chunk, id/model/created from the chunks.
 * @throws Error when a payload is not JSON (stored streams come from the adapters, so never)
 */
export function streamToCompletion(events: readonly string[]): Buffer {
  let id = '';
  let model = '';
  let created = 0;
  let fingerprint: unknown;
  let usage: Usage | undefined;
  const choices = new Map<number, ChoiceParts>();
  for (const [n, payload] of events.entries()) {
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(payload) as ChatChunk;
    } catch {
      throw new Error(`streamToCompletion: event ${n} is not JSON`);
    }
    id ||= chunk.id ?? '';
    model ||= chunk.model ?? '';
    created ||= chunk.created ?? 0;
    fingerprint ??= chunk.system_fingerprint ?? undefined;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      let parts = choices.get(c.index);
      if (!parts) {
        parts = { content: '', sawContent: false, refusal: undefined, tools: new Map(), finish: null, logprobs: undefined };
        choices.set(c.index, parts);
      }
      const d = c.delta ?? {};
      if (typeof d.content === 'string') {
        parts.content += d.content;
        parts.sawContent ||= d.content.length > 0;
      }
      const refusal = (d as { refusal?: unknown }).refusal;
      if (typeof refusal === 'string') parts.refusal = (parts.refusal ?? '') + refusal;
      for (const t of d.tool_calls ?? []) {
        let call = parts.tools.get(t.index);
        if (!call) {
          call = { id: '', type: 'function', function: { name: '', arguments: '' } };
          parts.tools.set(t.index, call);
        }
        if (t.id) call.id = t.id;
        if (t.function?.name) call.function.name += t.function.name;
        if (t.function?.arguments) call.function.arguments += t.function.arguments;
      }
      if (c.finish_reason) parts.finish = c.finish_reason;
      const lp = c.logprobs as { content?: unknown[] } | null | undefined;
      if (lp && Array.isArray(lp.content)) (parts.logprobs ??= []).push(...lp.content);
    }
  }
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [...choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, p]) => {
        const tools = [...p.tools.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
        return {
          index,
          message: {
            role: 'assistant' as const,
            // OpenAI answers null content for a pure tool call.
            content: p.sawContent || tools.length === 0 ? p.content : null,
            ...(tools.length > 0 && { tool_calls: tools }),
            refusal: p.refusal ?? null,
          },
          logprobs: p.logprobs ? { content: p.logprobs } : null,
          finish_reason: p.finish,
        };
      }),
    ...(usage && { usage }),
    ...(fingerprint !== undefined && { system_fingerprint: fingerprint }),
  };
  return Buffer.from(JSON.stringify(completion));
}

/**
 * A JSON chat.completion as the chunk payloads of a stream: per choice a role chunk, the content
 * in one piece (a cached answer has no pace to imitate), one delta per tool call, a finish chunk;
 * then a usage-only chunk (`choices: []`) when the completion had usage.
 * @throws Error when `completion` is not a chat.completion JSON object
 */
export function completionToEvents(completion: Buffer): string[] {
  let value: ChatCompletion;
  try {
    value = JSON.parse(completion.toString('utf8')) as ChatCompletion;
  } catch {
    throw new Error('completionToEvents: completion is not JSON');
  }
  if (!value || typeof value !== 'object' || !Array.isArray(value.choices)) {
    throw new Error('completionToEvents: completion has no choices array');
  }
  const head = {
    id: value.id,
    object: 'chat.completion.chunk',
    created: value.created,
    model: value.model,
    ...(value.system_fingerprint !== undefined && { system_fingerprint: value.system_fingerprint }),
  };
  const chunk = (choices: unknown[], extra?: object) => JSON.stringify({ ...head, choices, ...extra });
  const events: string[] = [];
  for (const c of value.choices) {
    const index = c.index ?? 0;
    const msg = c.message ?? { role: 'assistant', content: null };
    events.push(chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    if (typeof msg.content === 'string' && msg.content.length > 0) {
      events.push(chunk([{ index, delta: { content: msg.content }, logprobs: c.logprobs ?? null, finish_reason: null }]));
    }
    if (typeof msg.refusal === 'string' && msg.refusal.length > 0) {
      events.push(chunk([{ index, delta: { refusal: msg.refusal }, logprobs: null, finish_reason: null }]));
    }
    for (const [i, call] of (msg.tool_calls ?? []).entries()) {
      const delta = { tool_calls: [{ index: i, id: call.id, type: call.type ?? 'function', function: call.function }] };
      events.push(chunk([{ index, delta, logprobs: null, finish_reason: null }]));
    }
    events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: c.finish_reason ?? 'stop' }]));
  }
  if (value.usage) events.push(chunk([], { usage: value.usage }));
  return events;
}
