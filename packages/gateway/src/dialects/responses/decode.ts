/**
 * Decodes a Responses request body: validates every field (a malformed one, however deep, is a
 * 400 naming it) and translates it into the canonical chat request, keeping what the response
 * object echoes and what the pipeline needs to store and continue conversations.
 */
import { MAX_MODEL_LENGTH } from '../../api/validate.js';
import type { ChatMessage, ChatRequest } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { absent, invalid, isObject, missing, oneOf, optionalBoolean, optionalNumber, optionalObject, optionalString } from './fields.js';
import { newResponseId } from './ids.js';
import { translateInput } from './input.js';
import { translateText } from './text-format.js';
import { translateToolChoice, translateTools } from './tools.js';
import type { ResponseEcho, ResponsesDecoded } from './types.js';

/** Every top-level parameter of `POST /v1/responses`; any other is refused, as OpenAI does. */
const PARAMS = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'max_output_tokens', 'max_tool_calls', 'temperature',
  'top_p', 'top_logprobs', 'parallel_tool_calls', 'stream', 'stream_options', 'store', 'previous_response_id', 'metadata',
  'user', 'reasoning', 'truncation', 'include', 'background', 'conversation', 'prompt', 'prompt_cache_key',
  'prompt_cache_retention', 'prompt_cache_options', 'safety_identifier', 'service_tier', 'context_management', 'moderation',
]);

/** Parameters only OpenAI itself can honour: set, they keep the request native. */
const NATIVE_ONLY = ['conversation', 'prompt', 'context_management'] as const;

const TRUNCATION = ['auto', 'disabled'] as const;

/**
 * Validates and decodes a Responses body into canonical form.
 * @throws GatewayError 400 whose `param` names the bad field (`input[2].call_id`, `tools[0].name`)
 * @example
 * const d = decode({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'hi' });
 * d.canonical.messages; // [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]
 */
export function decode(body: Record<string, unknown>): ResponsesDecoded {
  for (const key of Object.keys(body)) {
    if (!PARAMS.has(key)) throw badRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  const model = requireModel(body.model);
  const instructions = optionalString(body.instructions, 'instructions') ?? null;
  const input = translateInput(body.input);
  const tools = translateTools(body.tools);
  const toolChoice = translateToolChoice(body.tool_choice, tools.names);
  const text = translateText(body.text);
  const maxOutputTokens = optionalNumber(body.max_output_tokens, 'max_output_tokens', 1, 10_000_000, true);
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 2);
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  optionalNumber(body.top_logprobs, 'top_logprobs', 0, 20, true);
  optionalNumber(body.max_tool_calls, 'max_tool_calls', 1, 10_000, true);
  const parallel = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  validateStreamOptions(body.stream_options, stream);
  const store = optionalBoolean(body.store, 'store') ?? true;
  const previousResponseId = absent(body.previous_response_id) ? null : requirePreviousId(body.previous_response_id);
  const metadata = validateMetadata(body.metadata);
  const user = optionalString(body.user, 'user');
  const reasoning = validateReasoning(body.reasoning);
  const truncation = absent(body.truncation) ? 'disabled' : oneOf(body.truncation, 'truncation', TRUNCATION);
  if (!absent(body.include) && !(Array.isArray(body.include) && body.include.every((s) => typeof s === 'string'))) invalid('include', 'an array of strings');
  const background = optionalBoolean(body.background, 'background') ?? false;
  for (const key of ['prompt_cache_key', 'safety_identifier', 'service_tier', 'prompt_cache_retention'] as const) optionalString(body[key], key);
  if (!absent(body.conversation) && typeof body.conversation !== 'string' && !isObject(body.conversation)) invalid('conversation', 'a conversation id or object');
  optionalObject(body.prompt, 'prompt');

  const untranslatable =
    input.untranslatable ?? tools.untranslatable ?? toolChoice.untranslatable ?? (background ? 'background' : null) ??
    NATIVE_ONLY.find((key) => !absent(body[key])) ?? null;
  if (previousResponseId === null) {
    const orphan = input.pendingOutputs[0];
    if (orphan) throw noCallFor(orphan.callId, orphan.param);
  }

  const echo: ResponseEcho = {
    instructions,
    tools: tools.echo,
    tool_choice: toolChoice.echo,
    text: text.echo,
    temperature: temperature ?? 1,
    top_p: topP ?? 1,
    max_output_tokens: maxOutputTokens ?? null,
    parallel_tool_calls: parallel ?? true,
    previous_response_id: previousResponseId,
    store,
    metadata,
    reasoning,
    truncation,
    user: user ?? null,
    service_tier: typeof body.service_tier === 'string' ? body.service_tier : 'default',
    background,
  };

  // The canonical request minus its messages: withHistory rebuilds the messages around it.
  const params: ChatRequest = { model, messages: [] };
  if (stream) {
    params.stream = true;
    params.stream_options = { include_usage: true };
  }
  if (tools.tools.length > 0) params.tools = tools.tools;
  if (toolChoice.toolChoice !== undefined) params.tool_choice = toolChoice.toolChoice;
  if (parallel !== undefined && tools.tools.length > 0) params.parallel_tool_calls = parallel;
  if (text.responseFormat !== undefined) params.response_format = text.responseFormat;
  if (text.verbosity !== undefined) params.verbosity = text.verbosity;
  if (maxOutputTokens !== undefined) params.max_completion_tokens = maxOutputTokens;
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.top_p = topP;
  if (reasoning.effort !== null) params.reasoning_effort = reasoning.effort;
  if (user !== undefined) params.user = user;

  return {
    canonical: { ...params, messages: conversation(instructions, [], input.messages) },
    model,
    stream,
    includeUsage: true,
    responseId: newResponseId(),
    store,
    previousResponseId,
    history: [],
    input: input.messages,
    echo,
    untranslatable,
    functionCallIds: input.functionCallIds,
    pendingOutputs: input.pendingOutputs,
  };
}

/** The canonical messages: this request's instructions first, then the stored conversation, then the input. */
export function conversation(instructions: string | null, history: readonly ChatMessage[], input: readonly ChatMessage[]): ChatMessage[] {
  const messages: ChatMessage[] = instructions === null ? [] : [{ role: 'system', content: instructions }];
  return messages.concat(history, input);
}

/** The 400 OpenAI answers for a function_call_output that answers no function call. */
export function noCallFor(callId: string, param: string) {
  return badRequest(`No tool call found for function call output with call_id ${callId}.`, param, 'invalid_value');
}

function requireModel(model: unknown): string {
  if (model === undefined) missing('model');
  if (typeof model !== 'string' || model.trim() === '') invalid('model', 'a non-empty string');
  if (model.length > MAX_MODEL_LENGTH) invalid('model', `a model name of at most ${MAX_MODEL_LENGTH} characters`);
  return model;
}

function requirePreviousId(id: unknown): string {
  if (typeof id !== 'string' || id === '' || id.length > 256) invalid('previous_response_id', 'a response id');
  return id;
}

function validateStreamOptions(options: unknown, stream: boolean): void {
  if (absent(options)) return;
  if (!stream) throw badRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', 'invalid_value');
  if (!isObject(options)) invalid('stream_options', 'an object');
  optionalBoolean(options.include_obfuscation, 'stream_options.include_obfuscation');
}

/** OpenAI's metadata rules: up to 16 string values, keys up to 64 characters, values up to 512. */
function validateMetadata(metadata: unknown): Record<string, string> {
  if (absent(metadata)) return {};
  if (!isObject(metadata)) invalid('metadata', 'an object of strings');
  const entries = Object.entries(metadata);
  if (entries.length > 16) invalid('metadata', 'at most 16 keys');
  for (const [key, value] of entries) {
    if (key.length > 64) invalid('metadata', 'keys of at most 64 characters');
    if (typeof value !== 'string' || value.length > 512) invalid(`metadata.${key}`, 'a string of at most 512 characters');
  }
  return metadata as Record<string, string>;
}

function validateReasoning(reasoning: unknown): ResponseEcho['reasoning'] {
  const r = optionalObject(reasoning, 'reasoning');
  if (r === undefined) return { effort: null, summary: null };
  const effort = optionalString(r.effort, 'reasoning.effort') ?? null;
  const summary = optionalString(r.summary, 'reasoning.summary') ?? optionalString(r.generate_summary, 'reasoning.generate_summary') ?? null;
  return { effort, summary };
}


/**
 * The 400 for a request routed to a provider that does not speak Responses natively while it
 * uses what only OpenAI runs (`decoded.untranslatable`); null when it translates.
 * @example
 * const refusal = translationRefusal(decoded); if (refusal) throw refusal;
 */
export function translationRefusal(decoded: ResponsesDecoded) {
  const param = decoded.untranslatable;
  if (param === null) return null;
  return badRequest(`'${param}' is only supported by OpenAI's own Responses API; the model '${decoded.model}' is served through translation.`, param, 'unsupported_parameter');
}
