/**
 * Canonical answer pieces -> their Messages names: finish reasons to stop reasons (the reverse of
 * the Anthropic provider's `finishReason`), canonical usage to Anthropic's usage, ids and tool
 * arguments to Messages blocks. The JSON encoder and the stream encoder share them.
 */
import type { FinishReason, Usage } from '../../api/types.js';
import type { Json } from './checks.js';
import type { MessageUsage } from './wire.js';

const STOP_REASON: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * The stop reason for a canonical finish reason. `stop` is `end_turn`: the canonical form does
 * not say whether a stop sequence ended the answer, so `stop_sequence` is never claimed.
 */
export function stopReason(finish: FinishReason | null | undefined): string | null {
  return finish ? STOP_REASON[finish] ?? 'end_turn' : null;
}

/**
 * Canonical usage as Anthropic's: `prompt_tokens` counts cached tokens too (the provider's
 * `toUsage` adds them), Anthropic's `input_tokens` does not, so cached tokens move to
 * `cache_read_input_tokens`. The canonical form has no cache-write count: 0.
 */
export function messageUsage(usage: Usage | undefined, estimatedInput = 0): MessageUsage {
  if (!usage) return { input_tokens: estimatedInput, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.prompt_tokens - cached),
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Anthropic message ids start with `msg_`; a canonical id without it gets the prefix. */
export function messageId(id: string | undefined): string {
  if (!id) return `msg_${Date.now().toString(36)}`;
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/**
 * A tool call's arguments as a tool_use `input`, which is always an object: arguments that are
 * not a JSON object (a model's malformed output) become `{}` rather than a block clients reject.
 */
export function toolInput(args: string | undefined): Json {
  try {
    const v: unknown = JSON.parse(args || '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}
