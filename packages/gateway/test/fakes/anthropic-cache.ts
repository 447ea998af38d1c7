// The fake Anthropic's prompt cache: `cache_control` breakpoints mark prefixes of the prompt
// (tools, then system, then messages, in order); a prefix seen before is read from the cache,
// a new one is written. Deterministic, with no minimum length and no expiry, so a test can
// prove that `cache_control` reached the provider and that usage reports what it saved.
import { createHash, type Hash } from 'node:crypto';
import { countWords } from './model.js';
import { contentText, isObject } from './request-checks.js';
import type { Json } from './request-checks.js';

/** A prompt prefix that ends at a `cache_control` block. */
export interface CacheBreakpoint {
  /** Digest of the prefix's content (`cache_control` markers left out). */
  readonly key: string;
  /** Input tokens (words) in the prefix. */
  readonly tokens: number;
}

export interface CacheUsage {
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
}

/** Words a block adds to the prompt, as `promptWords` counts them (text and tool-result text). */
function blockWords(block: unknown): number {
  if (typeof block === 'string') return countWords(block);
  if (!isObject(block)) return 0;
  if (block.type === 'text') return countWords(typeof block.text === 'string' ? block.text : '');
  if (block.type === 'tool_result') return countWords(contentText(block.content));
  return 0;
}

/** The breakpoints of a validated Messages body, shortest prefix first. */
export function cacheBreakpoints(body: Json): CacheBreakpoint[] {
  const hash: Hash = createHash('sha256');
  let tokens = 0;
  const points: CacheBreakpoint[] = [];
  const unit = (part: unknown, where: string) => {
    const marked = isObject(part) && isObject(part.cache_control);
    const content = isObject(part) ? { ...part, cache_control: undefined } : part;
    hash.update(`${where}\u0000${JSON.stringify(content)}\u0000`);
    tokens += blockWords(part);
    if (marked) points.push({ key: hash.copy().digest('hex'), tokens });
  };
  for (const tool of Array.isArray(body.tools) ? body.tools : []) unit(tool, 'tool');
  const system = body.system;
  for (const block of Array.isArray(system) ? system : system ? [system] : []) unit(block, 'system');
  for (const m of body.messages as Json[]) {
    for (const block of typeof m.content === 'string' ? [m.content] : (m.content as unknown[])) unit(block, String(m.role));
  }
  return points;
}

/** Prefixes one fake server has cached, for its lifetime (`reset()` keeps them, as it keeps ids). */
export class PromptCache {
  private readonly prefixes = new Set<string>();

  /** Reads the longest cached prefix, writes the rest up to the last breakpoint. */
  use(points: readonly CacheBreakpoint[]): CacheUsage {
    let read = 0;
    for (const p of points) if (this.prefixes.has(p.key)) read = Math.max(read, p.tokens);
    const last = points.at(-1)?.tokens ?? 0;
    for (const p of points) this.prefixes.add(p.key);
    return { cache_read_input_tokens: read, cache_creation_input_tokens: last - read };
  }
}
