/**
 * OpenAI chat requests -> Gemini `GenerateContentRequest` bodies, shared by the Gemini API and
 * Vertex AI (the same wire format): system messages become `systemInstruction`, turns take the
 * roles `user` and `model`, tool calls and results become `functionCall` / `functionResponse`
 * parts, and the sampling fields go to `generationConfig`.
 *
 * Function parameters and response schemas go as JSON Schema (`parametersJsonSchema`,
 * `responseJsonSchema`): the older `parameters` / `responseSchema` fields take an OpenAPI subset
 * and refuse common JSON-Schema keywords (`additionalProperties`, `$schema`) with a 400.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { argumentsObject, textOf } from '../message-parts.js';
import { splitToolCallId, THOUGHT_SIGNATURE_SKIP } from './tool-ids.js';

export type Json = Record<string, unknown>;
export interface GeminiPart extends Json {}
export interface GeminiContent { role: 'user' | 'model'; parts: GeminiPart[] }

export function toGeminiRequest(request: ChatRequest): Json {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  request.messages.forEach((message, i) => {
    if (message.role === 'system' || message.role === 'developer') {
      const text = textOf(message.content, `messages[${i}].content`);
      if (text !== '') system.push(text);
      return;
    }
    const { role, parts } = toContent(message, i, callNames, request.model);
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    // Consecutive tool results answer one model turn: they must be one user turn (the API
    // counts function responses against the calls of the turn before).
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  });
  if (contents.length === 0) throw badRequest('The request has no user or assistant message with content to send.', 'messages', 'invalid_value');

  const body: Json = { contents };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const tools = toTools(request);
  if (tools) body.tools = tools;
  const toolConfig = toToolConfig(request.tool_choice, tools !== undefined);
  if (toolConfig) body.toolConfig = toolConfig;
  const generationConfig = toGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function toContent(message: ChatMessage, i: number, callNames: Map<string, string>, model: string): GeminiContent {
  if (message.role === 'tool' || message.role === 'function') {
    const id = message.tool_call_id;
    const name = message.role === 'function' ? message.name : id !== undefined ? callNames.get(id) : undefined;
    if (!name) {
      throw badRequest(`messages[${i}] answers tool call '${id ?? ''}', which no earlier assistant message made.`, `messages[${i}].tool_call_id`, 'invalid_value');
    }
    // The API wants a JSON object; `output` is the key it documents for a function's result.
    return { role: 'user', parts: [{ functionResponse: { name, response: { output: textOf(message.content, `messages[${i}].content`) } } }] };
  }
  if (message.role === 'assistant') {
    const parts = contentParts(message.content, i);
    (message.tool_calls ?? []).forEach((call, j) => {
      if (call.type !== 'function' || !call.function) throw badRequest(`messages[${i}].tool_calls[${j}] is not a function call.`, `messages[${i}].tool_calls[${j}].type`, 'unsupported_value');
      callNames.set(call.id, call.function.name);
      const part: GeminiPart = { functionCall: { name: call.function.name, args: argumentsObject(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } };
      const { signature } = splitToolCallId(call.id);
      // Gemini 3 refuses a function call replayed without its thought signature; the first call
      // of a turn carries it. Calls made elsewhere have none: the documented skip value stands in.
      if (signature) part.thoughtSignature = signature;
      else if (j === 0 && /^gemini-3/.test(model)) part.thoughtSignature = THOUGHT_SIGNATURE_SKIP;
      parts.push(part);
    });
    return { role: 'model', parts };
  }
  if (message.role !== 'user') throw badRequest(`messages[${i}].role '${String(message.role)}' is not supported.`, `messages[${i}].role`, 'unsupported_value');
  return { role: 'user', parts: contentParts(message.content, i) };
}

function contentParts(content: ChatMessage['content'], i: number): GeminiPart[] {
  if (content === undefined || content === null || content === '') return [];
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw badRequest(`messages[${i}].content must be a string or an array of parts.`, `messages[${i}].content`, 'invalid_type');
  const parts: GeminiPart[] = [];
  content.forEach((part, j) => {
    const p = toPart(part, `messages[${i}].content[${j}]`);
    if (p) parts.push(p);
  });
  return parts;
}

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

function toPart(part: ContentPart, at: string): GeminiPart | undefined {
  switch (part.type) {
    case 'text': {
      const text = (part as { text?: unknown }).text;
      if (typeof text !== 'string') throw badRequest(`${at}.text must be a string.`, `${at}.text`, 'invalid_type');
      return text === '' ? undefined : { text };
    }
    case 'image_url': {
      const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
      if (typeof url !== 'string') throw badRequest(`${at}.image_url.url must be a string.`, `${at}.image_url.url`, 'invalid_type');
      return mediaPart(url, at, guessImageType(url));
    }
    case 'input_audio': {
      const audio = (part as { input_audio?: { data?: unknown; format?: unknown } }).input_audio;
      if (typeof audio?.data !== 'string' || typeof audio.format !== 'string') {
        throw badRequest(`${at}.input_audio needs data and format.`, `${at}.input_audio`, 'invalid_value');
      }
      return { inlineData: { mimeType: `audio/${audio.format === 'mp3' ? 'mp3' : audio.format}`, data: audio.data } };
    }
    case 'file': {
      const file = (part as { file?: { file_data?: unknown } }).file;
      if (typeof file?.file_data !== 'string') throw badRequest(`${at}.file: only inline file_data (a data: URL) is supported.`, `${at}.file`, 'unsupported_value');
      return mediaPart(file.file_data, at, 'application/octet-stream');
    }
    case 'refusal':
      return undefined; // an earlier assistant refusal: nothing for the model to read
    default:
      throw badRequest(`${at}: content parts of type '${part.type}' are not supported by Gemini models.`, `${at}.type`, 'unsupported_value');
  }
}

/** A data: URL goes inline; an http(s) or gs:// URL goes by reference, with its media type guessed. */
function mediaPart(url: string, at: string, fallbackType: string): GeminiPart {
  const data = DATA_URL.exec(url);
  if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
  if (/^(https?|gs):\/\//i.test(url)) return { fileData: { mimeType: fallbackType, fileUri: url } };
  throw badRequest(`${at}: expected a data: URL or an http(s) URL.`, at, 'invalid_value');
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif',
};

function guessImageType(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return (ext && IMAGE_TYPES[ext]) ?? 'image/jpeg';
}

function toTools(request: ChatRequest): Json[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  const declarations = request.tools.map((t, i) => {
    if (t.type !== 'function' || !t.function) throw badRequest(`Gemini models take function tools only; tools[${i}] is '${String(t.type)}'.`, `tools[${i}].type`, 'unsupported_value');
    const fn = t.function;
    const declaration: Json = { name: fn.name };
    if (fn.description) declaration.description = fn.description;
    if (fn.parameters && Object.keys(fn.parameters).length > 0) declaration.parametersJsonSchema = fn.parameters;
    return declaration;
  });
  return [{ functionDeclarations: declarations }];
}

function toToolConfig(choice: ToolChoice | undefined, hasTools: boolean): Json | undefined {
  if (choice === undefined || !hasTools) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (typeof choice === 'object' && choice.type === 'function' && typeof choice.function?.name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  throw badRequest('Gemini models take tool_choice none, auto, required or a function.', 'tool_choice', 'unsupported_value');
}

function toGenerationConfig(request: ChatRequest): Json {
  const config: Json = {};
  if (typeof request.temperature === 'number') config.temperature = request.temperature;
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') config.maxOutputTokens = maxTokens;
  if (request.stop !== undefined && request.stop !== null) {
    const stop = Array.isArray(request.stop) ? request.stop : [request.stop];
    if (stop.length > 0) config.stopSequences = stop;
  }
  if (typeof request.n === 'number' && request.n > 1) config.candidateCount = request.n;
  if (typeof request.presence_penalty === 'number') config.presencePenalty = request.presence_penalty;
  if (typeof request.frequency_penalty === 'number') config.frequencyPenalty = request.frequency_penalty;
  if (typeof request.seed === 'number') config.seed = request.seed;
  const format = request.response_format;
  if (format && typeof format === 'object') {
    if (format.type === 'json_object') config.responseMimeType = 'application/json';
    else if (format.type === 'json_schema') {
      const schema = (format.json_schema as { schema?: unknown } | undefined)?.schema;
      config.responseMimeType = 'application/json';
      if (schema && typeof schema === 'object') config.responseJsonSchema = schema;
    } else if (format.type !== 'text') {
      throw badRequest(`response_format type '${String(format.type)}' is not supported by Gemini models.`, 'response_format.type', 'unsupported_value');
    }
  }
  return config;
}
