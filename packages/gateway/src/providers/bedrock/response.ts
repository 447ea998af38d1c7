/**
 * Bedrock Converse answers -> OpenAI chat completions: text blocks join into `content`,
 * `toolUse` blocks become `tool_calls` (or the content, for the tool that carries a JSON
 * response_format), `stopReason` and `usage` map to OpenAI's names.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../api/types.js';
import { isCount } from '../answer-checks.js';

export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  [k: string]: unknown;
}

export interface ConverseAnswer {
  output: { message: { role: string; content: ConverseBlock[] } };
  stopReason?: string;
  usage?: ConverseUsage;
}

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** A whole Converse answer: an output message whose content is a list of blocks. */
export function isConverseAnswer(v: Record<string, unknown>): v is ConverseAnswer & Record<string, unknown> {
  const message = (v.output as { message?: { content?: unknown } } | undefined)?.message;
  return typeof message === 'object' && message !== null && Array.isArray(message.content) && message.content.every((b) => typeof b === 'object' && b !== null);
}

/** OpenAI's finish reason; a tool call that carries the JSON answer is a plain stop. */
export function finishReason(stopReason: string | undefined, answeredByTool = false): FinishReason {
  if (stopReason === 'tool_use' && answeredByTool) return 'stop';
  return (stopReason && FINISH[stopReason]) || 'stop';
}

/**
 * Converse usage as OpenAI's: `inputTokens` excludes cache reads and writes, so the prompt is
 * their sum; `totalTokens` is taken as reported.
 */
export function toUsage(u: ConverseUsage | undefined): Usage | undefined {
  if (!u || !isCount(u.inputTokens) || !isCount(u.outputTokens)) return undefined;
  const count = (n: unknown) => (isCount(n) ? n : 0);
  const cached = count(u.cacheReadInputTokens);
  const prompt = u.inputTokens + cached + count(u.cacheWriteInputTokens);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: u.outputTokens, total_tokens: isCount(u.totalTokens) ? u.totalTokens : prompt + u.outputTokens };
  if (cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

/**
 * A Converse answer as a chat completion.
 * @param answerTool the forced tool whose input is the content (response_format), if any
 */
export function toChatCompletion(answer: ConverseAnswer, id: string, model: string, answerTool: string | undefined, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  let text = '';
  const toolCalls: ToolCall[] = [];
  let answeredByTool = false;
  for (const block of answer.output.message.content) {
    if (typeof block.text === 'string') text += block.text;
    else if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      if (answerTool !== undefined && name === answerTool) {
        text += JSON.stringify(input ?? {});
        answeredByTool = true;
      } else {
        toolCalls.push({ id: String(toolUseId ?? ''), type: 'function', function: { name: String(name ?? ''), arguments: JSON.stringify(input ?? {}) } });
      }
    }
  }
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        // `refusal` is required (nullable) by OpenAI's schema: generated clients reject its absence.
        message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(answer.stopReason, answeredByTool),
        logprobs: null,
      },
    ],
  };
  const usage = toUsage(answer.usage);
  if (usage) completion.usage = usage;
  return completion;
}
