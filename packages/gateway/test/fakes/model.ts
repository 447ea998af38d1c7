// The deterministic "model" behind both fake providers: what they answer, how the answer is cut
// into stream chunks, and how tokens are counted. Provider files only translate this into their
// wire formats, so an OpenAI answer and an Anthropic answer to the same prompt always agree and a
// test can compute the exact bytes it should receive.

/** The text answer both fakes give to a user message: `"Echo: " + lastUserText`. */
export function expectedReply(lastUserText: string): string {
  return `Echo: ${lastUserText}`;
}

/** The text answer after a tool result: `"Tool said: " + result`. */
export function toolResultReply(toolResultText: string): string {
  return `Tool said: ${toolResultText}`;
}

/** Tokens an answer that is a tool call costs (a fixed number, so usage stays predictable). */
export const TOOL_CALL_TOKENS = 5;

/** Fixed prompt overhead added to every request's word count, like a chat template's tokens. */
export const PROMPT_OVERHEAD_TOKENS = 3;

const WORD = /\S+/g;
const CHUNK = /\s*\S+\s*/g;

/** Number of words (runs of non-space characters): the fakes' token count. */
export function countWords(text: string): number {
  let n = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) n++;
  return n;
}

/**
 * Splits text into stream chunks: one per word, each word carrying the whitespace that follows it,
 * so that the chunks concatenate back to the exact text.
 */
export function chunkWords(text: string): string[] {
  const chunks = text.match(CHUNK);
  if (chunks === null) return text === '' ? [] : [text];
  return chunks;
}

/** Splits a tool call's arguments JSON into three fragments, as a model streams it. */
export function argumentFragments(json: string): string[] {
  if (json.length < 3) return [json];
  const a = Math.floor(json.length / 3);
  const b = Math.floor((2 * json.length) / 3);
  return [json.slice(0, a), json.slice(a, b), json.slice(b)];
}

/** What a provider's request says, reduced to what decides the answer. */
export interface Conversation {
  /** Text of the last user message (text parts joined with a space). */
  readonly lastUserText: string;
  /** Text of the tool result when the last message is one, else null. */
  readonly toolResultText: string | null;
  /** The last message is the user speaking (not a tool result): the model may call a tool. */
  readonly lastIsUser: boolean;
  /** Words in every message text, the system prompt included. */
  readonly promptWords: number;
  /** Names of the offered tools, in order. */
  readonly tools: readonly string[];
  /** 'auto' also stands for OpenAI 'required' and Anthropic 'any'. */
  readonly toolChoice: 'none' | 'auto' | { readonly name: string };
  readonly stop: readonly string[];
  readonly maxTokens: number | undefined;
}

export type Answer =
  | { readonly kind: 'text'; readonly completion: Completion; readonly inputTokens: number }
  | { readonly kind: 'tool_call'; readonly name: string; readonly argumentsJson: string; readonly inputTokens: number };

/** Decides the answer: a tool call when tools are offered and allowed, else the echo text. */
export function answer(conv: Conversation): Answer {
  const inputTokens = conv.promptWords + PROMPT_OVERHEAD_TOKENS;
  if (conv.lastIsUser && conv.tools.length > 0 && conv.toolChoice !== 'none') {
    const name = typeof conv.toolChoice === 'object' ? conv.toolChoice.name : (conv.tools[0] as string);
    return { kind: 'tool_call', name, argumentsJson: JSON.stringify({ query: conv.lastUserText }), inputTokens };
  }
  const reply = conv.toolResultText !== null ? toolResultReply(conv.toolResultText) : expectedReply(conv.lastUserText);
  return { kind: 'text', completion: complete(reply, conv.stop, conv.maxTokens), inputTokens };
}

export type FinishCause = 'end' | 'stop_sequence' | 'max_tokens';

export interface Completion {
  /** Final text after stop sequences and max_tokens are applied. */
  readonly text: string;
  /** The same text as stream chunks. */
  readonly chunks: string[];
  readonly cause: FinishCause;
  /** The stop sequence that ended the answer, when cause is 'stop_sequence'. */
  readonly stopSequence: string | null;
  readonly outputTokens: number;
}

/**
 * Applies stop sequences (cut before the earliest match, as a real model stops before emitting it)
 * and then a max_tokens budget (keep the first N word chunks).
 */
export function complete(reply: string, stop: readonly string[], maxTokens: number | undefined): Completion {
  let text = reply;
  let cause: FinishCause = 'end';
  let stopSequence: string | null = null;
  let cutAt = -1;
  for (const seq of stop) {
    if (seq === '') continue;
    const at = reply.indexOf(seq);
    if (at !== -1 && (cutAt === -1 || at < cutAt)) {
      cutAt = at;
      stopSequence = seq;
    }
  }
  if (cutAt !== -1) {
    text = reply.slice(0, cutAt);
    cause = 'stop_sequence';
  }
  let chunks = chunkWords(text);
  if (maxTokens !== undefined && countWords(text) > maxTokens) {
    chunks = chunks.slice(0, maxTokens);
    text = chunks.join('');
    cause = 'max_tokens';
    stopSequence = null;
  }
  return { text, chunks, cause, stopSequence, outputTokens: countWords(text) };
}

/**
 * A deterministic 8-dimensional unit vector derived from the text (FNV-1a seeded xorshift), rounded
 * to float32 so the `float` and `base64` encodings carry the same numbers.
 */
export function embeddingOf(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const raw: number[] = [];
  let norm = 0;
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    const v = h / 0xffffffff - 0.5;
    raw.push(v);
    norm += v * v;
  }
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  return raw.map((v) => Math.fround(v * scale));
}

export const EMBEDDING_DIMENSIONS = 8;

/** Little-endian float32 bytes in base64, OpenAI's `encoding_format: 'base64'`. */
export function embeddingBase64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}
