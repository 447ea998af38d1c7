/**
 * What makes a provider's 200 a complete, valid answer. A body cut off mid-way, an error object
 * sent with status 200, or usage counts that are not numbers are provider failures (retried, or
 * answered 502), never a success passed on to the caller or stored in the cache.
 */
import type { Usage } from '../api/types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a JSON object, or undefined when the text is not one (cut off, HTML, empty). */
export function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A chat completion: at least one choice, each with a message. */
export function isChatCompletion(v: Json): boolean {
  return Array.isArray(v.choices) && v.choices.length > 0 && v.choices.every((c) => isObject(c) && isObject(c.message));
}

/** An embeddings answer: a list of embeddings. */
export function isEmbeddingsAnswer(v: Json): boolean {
  return Array.isArray(v.data) && v.data.every(isObject);
}

/** A chat-completion chunk: a choices array (empty in the usage-only chunk). */
export function isChatChunk(v: Json): boolean {
  return Array.isArray(v.choices) && v.choices.every(isObject);
}

/**
 * The provider's usage with its counts checked: a count that is not a whole number >= 0 would
 * make every metric, limit and price computed from it wrong (or throw), so such usage counts as
 * not reported and the gateway estimates instead.
 */
export function checkedUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const { prompt_tokens: prompt, completion_tokens: completion = 0, total_tokens: total } = u;
  if (!isCount(prompt) || !isCount(completion)) return undefined;
  return { ...u, prompt_tokens: prompt, completion_tokens: completion, total_tokens: isCount(total) ? total : prompt + completion } as Usage;
}

/** A token count as providers report it: a whole number >= 0. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
