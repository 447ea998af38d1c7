/**
 * What `mock/echo` answers, decided from the canonical request alone, deterministically, the way
 * the test fakes answer (so a probe's tokens and text are predictable): the last user text as
 * `"Echo: <text>"`, a call to the offered tool with `{"query": <text>}` when tools are offered and
 * tool_choice is not `none`, and `"Tool said: <result>"` after a tool result. Tokens are words.
 */
import type { ChatMessage, ChatRequest, Usage } from '../../api/types.js';

/** Tokens a tool call costs, and the fixed prompt overhead (a chat template's tokens): as the fakes count. */
const TOOL_CALL_TOKENS = 5;
const PROMPT_OVERHEAD_TOKENS = 3;

export type EchoAnswer =
  | { readonly kind: 'text'; readonly words: readonly string[]; readonly finish: 'stop' | 'length'; readonly usage: Usage }
  | { readonly kind: 'tool_call'; readonly name: string; readonly arguments: string; readonly usage: Usage };

/**
 * The answer to a chat request.
 * @example echoAnswer({ model: 'echo', messages: [{ role: 'user', content: 'hi there' }] }) // text "Echo: hi there"
 */
export function echoAnswer(request: ChatRequest): EchoAnswer {
  const messages = request.messages;
  const last = messages[messages.length - 1];
  const promptTokens = messages.reduce((n, m) => n + countWords(textOf(m)), 0) + PROMPT_OVERHEAD_TOKENS;
  const lastUserText = textOf([...messages].reverse().find((m) => m.role === 'user'));
  const tool = chosenTool(request);
  if (last?.role === 'user' && tool !== undefined) {
    return { kind: 'tool_call', name: tool, arguments: JSON.stringify({ query: lastUserText }), usage: usage(promptTokens, TOOL_CALL_TOKENS) };
  }
  const results = trailingToolResults(messages);
  const reply = results.length > 0 ? `Tool said: ${results.join(' ')}` : `Echo: ${lastUserText}`;
  const all = chunkWords(reply);
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const words = limit !== undefined && limit !== null && all.length > limit ? all.slice(0, limit) : all;
  return { kind: 'text', words, finish: words.length < all.length ? 'length' : 'stop', usage: usage(promptTokens, countWords(words.join(''))) };
}

/** The tool to call: the one tool_choice names, else the first offered; none when tool_choice is `none`. */
function chosenTool(request: ChatRequest): string | undefined {
  const tools = request.tools ?? [];
  if (tools.length === 0 || request.tool_choice === 'none') return undefined;
  const choice = request.tool_choice;
  if (typeof choice === 'object' && choice !== null) return choice.function.name;
  return tools[0]?.function.name;
}

/** The tool results that end the conversation (answers to the last assistant turn's calls). */
function trailingToolResults(messages: readonly ChatMessage[]): string[] {
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) results.unshift(textOf(messages[i]));
  return results;
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p): p is { type: 'text'; text: string } => p.type === 'text' && typeof (p as { text?: unknown }).text === 'string')
    .map((p) => p.text)
    .join(' ');
}

function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Words (runs of non-space characters): the mock's token count. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** One stream chunk per word, each carrying the whitespace after it, so the chunks join back into the text. */
export function chunkWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}
