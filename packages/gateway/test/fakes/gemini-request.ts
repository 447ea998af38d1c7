// Reads a Gemini `GenerateContentRequest` (Gemini API and Vertex AI alike) the way the real API
// validates it, and reduces it to the `Conversation` the fake model answers. It refuses what the
// real API refuses, with its kind of message: unknown fields anywhere (protobuf JSON parsing:
// `Invalid JSON payload received. Unknown name "x" at 'y': Cannot find field.`), roles other
// than user/model, empty or malformed parts, function calls outside model turns, function
// responses that do not answer the calls of the turn before (by count and by name), invalid
// function names, JSON-Schema keywords in the OpenAPI-subset `parameters` / `responseSchema`
// (`additionalProperties`, `$schema`, ...), and generationConfig fields of the wrong type.
// Field names are the camelCase ones the SDKs send.
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

/** Gemini's documented stand-in for a thought signature a caller cannot supply. */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export interface GenerateContentRequest {
  readonly conversation: Conversation;
  /** responseMimeType application/json: the answer is JSON, shaped by `schema` when given. */
  readonly json: { readonly schema: Json | undefined } | undefined;
  readonly candidateCount: number;
  /** thinkingConfig.thinkingBudget, when set. */
  readonly thinkingBudget: number | undefined;
}

const TOP_LEVEL = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels', 'model']);
const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;
const PART_FIELDS = new Set<string>([...PART_DATA, 'thought', 'thoughtSignature', 'videoMetadata', 'mediaResolution', 'partMetadata']);
// The OpenAPI 3.0 subset of `Schema` (parameters, responseSchema): any other key is an unknown field.
const SCHEMA_FIELDS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties',
  'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum',
]);
const SCHEMA_TYPES = new Set(['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const GENERATION_FIELDS: Record<string, 'number' | 'integer' | 'boolean' | 'string' | 'strings' | 'object'> = {
  temperature: 'number', topP: 'number', topK: 'number', candidateCount: 'integer', maxOutputTokens: 'integer', stopSequences: 'strings',
  presencePenalty: 'number', frequencyPenalty: 'number', seed: 'integer', responseLogprobs: 'boolean', logprobs: 'integer',
  responseMimeType: 'string', responseSchema: 'object', responseJsonSchema: 'object', responseModalities: 'strings',
  thinkingConfig: 'object', mediaResolution: 'string', speechConfig: 'object', enableEnhancedCivicAnswers: 'boolean',
};
const PROTO_TYPES: Record<string, string> = { number: 'TYPE_FLOAT', integer: 'TYPE_INT32', boolean: 'TYPE_BOOL', string: 'TYPE_STRING', strings: 'TYPE_STRING', object: 'TYPE_MESSAGE' };

const snake = (path: string): string => path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function unknownField(name: string, at: string): BadRequest {
  return new BadRequest(`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${snake(at)}'` : ''}: Cannot find field.`, at || null, 'INVALID_ARGUMENT');
}

function invalid(at: string, message: string): BadRequest {
  return new BadRequest(`* GenerateContentRequest.${snake(at)}: ${message}\n`, at, 'INVALID_ARGUMENT');
}

function invalidValue(at: string, protoType: string, value: unknown): BadRequest {
  return new BadRequest(`Invalid value at '${snake(at)}' (${protoType}), ${JSON.stringify(value)}`, at, 'INVALID_ARGUMENT');
}

function checkFields(obj: Json, allowed: ReadonlySet<string>, at: string): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) throw unknownField(key, at);
}

/** An OpenAPI-subset Schema: known keys only, a known type, nested schemas checked. */
function checkSchema(schema: unknown, at: string): void {
  if (!isObject(schema)) throw invalidValue(at, 'TYPE_MESSAGE', schema);
  checkFields(schema, SCHEMA_FIELDS, at);
  if (schema.type !== undefined && (typeof schema.type !== 'string' || !SCHEMA_TYPES.has(schema.type.toUpperCase()))) {
    throw invalidValue(`${at}.type`, 'type.googleapis.com/google.ai.generativelanguage.v1beta.Type', schema.type);
  }
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) throw invalidValue(`${at}.properties`, 'TYPE_MESSAGE', schema.properties);
    for (const [name, sub] of Object.entries(schema.properties)) checkSchema(sub, `${at}.properties[${name}].value`);
  }
  if (schema.items !== undefined) checkSchema(schema.items, `${at}.items`);
  if (schema.anyOf !== undefined) {
    if (!Array.isArray(schema.anyOf)) throw invalidValue(`${at}.anyOf`, 'TYPE_MESSAGE', schema.anyOf);
    schema.anyOf.forEach((s, i) => checkSchema(s, `${at}.anyOf[${i}]`));
  }
}

function partText(part: Json): string {
  return typeof part.text === 'string' && part.thought !== true ? part.text : '';
}

/** What a function response says, as the fake model reads it: `output` when a string, else the JSON. */
function responseText(response: Json): string {
  return typeof response.output === 'string' ? response.output : JSON.stringify(response);
}

function readParts(content: Json, at: string, role: string): Json[] {
  const parts = content.parts;
  if (parts === undefined || (Array.isArray(parts) && parts.length === 0)) throw invalid(`${at}.parts`, 'contents.parts must not be empty.');
  if (!Array.isArray(parts)) throw invalidValue(`${at}.parts`, 'TYPE_MESSAGE', parts);
  return parts.map((part: unknown, j: number) => {
    const p = `${at}.parts[${j}]`;
    if (!isObject(part)) throw invalidValue(p, 'TYPE_MESSAGE', part);
    checkFields(part, PART_FIELDS, p);
    const data = PART_DATA.filter((k) => part[k] !== undefined);
    if (data.length === 0) throw invalid(`${p}.data`, "required oneof field 'data' must have one initialized field");
    if (data.length > 1) throw new BadRequest(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`, p, 'INVALID_ARGUMENT');
    if (part.text !== undefined && typeof part.text !== 'string') throw invalidValue(`${p}.text`, 'TYPE_STRING', part.text);
    if (part.thoughtSignature !== undefined && typeof part.thoughtSignature !== 'string') throw invalidValue(`${p}.thoughtSignature`, 'TYPE_BYTES', part.thoughtSignature);
    if (part.inlineData !== undefined) {
      const d = part.inlineData;
      if (!isObject(d)) throw invalidValue(`${p}.inlineData`, 'TYPE_MESSAGE', d);
      checkFields(d, new Set(['mimeType', 'data', 'displayName']), `${p}.inlineData`);
      if (typeof d.mimeType !== 'string' || d.mimeType === '') throw invalid(`${p}.inlineData.mimeType`, 'mime_type is required.');
      if (typeof d.data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(d.data)) throw invalidValue(`${p}.inlineData.data`, 'TYPE_BYTES', d.data);
    }
    if (part.fileData !== undefined) {
      const f = part.fileData;
      if (!isObject(f)) throw invalidValue(`${p}.fileData`, 'TYPE_MESSAGE', f);
      checkFields(f, new Set(['mimeType', 'fileUri', 'displayName']), `${p}.fileData`);
      if (typeof f.fileUri !== 'string' || f.fileUri === '') throw invalid(`${p}.fileData.fileUri`, 'file_uri is required.');
      if (f.mimeType !== undefined && typeof f.mimeType !== 'string') throw invalidValue(`${p}.fileData.mimeType`, 'TYPE_STRING', f.mimeType);
    }
    if (part.functionCall !== undefined) {
      const c = part.functionCall;
      if (role !== 'model') throw invalid(`${p}.functionCall`, 'function_call parts are only allowed in model turns.');
      if (!isObject(c)) throw invalidValue(`${p}.functionCall`, 'TYPE_MESSAGE', c);
      checkFields(c, new Set(['name', 'args', 'id']), `${p}.functionCall`);
      if (typeof c.name !== 'string' || c.name === '') throw invalid(`${p}.functionCall.name`, 'Name cannot be empty.');
      if (c.args !== undefined && !isObject(c.args)) throw invalidValue(`${p}.functionCall.args`, 'TYPE_MESSAGE', c.args);
    }
    if (part.functionResponse !== undefined) {
      const r = part.functionResponse;
      if (role !== 'user') throw invalid(`${p}.functionResponse`, 'function_response parts are only allowed in user turns.');
      if (!isObject(r)) throw invalidValue(`${p}.functionResponse`, 'TYPE_MESSAGE', r);
      checkFields(r, new Set(['name', 'response', 'id', 'parts', 'willContinue', 'scheduling']), `${p}.functionResponse`);
      if (typeof r.name !== 'string' || r.name === '') throw invalid(`${p}.functionResponse.name`, 'Name cannot be empty.');
      if (!isObject(r.response)) throw invalidValue(`${p}.functionResponse.response`, 'TYPE_MESSAGE', r.response);
    }
    return part;
  });
}

function readSystem(body: Json): string {
  const s = body.systemInstruction;
  if (s === undefined) return '';
  if (!isObject(s)) throw invalidValue('systemInstruction', 'TYPE_MESSAGE', s);
  checkFields(s, new Set(['parts', 'role']), 'systemInstruction');
  const parts = readParts(s, 'systemInstruction', 'user');
  if (parts.some((p) => typeof p.text !== 'string')) throw invalid('systemInstruction.parts', 'system_instruction takes text parts only.');
  return parts.map(partText).join(' ');
}

interface Declared {
  readonly names: string[];
}

function readTools(body: Json): Declared {
  const names: string[] = [];
  if (body.tools === undefined) return { names };
  if (!Array.isArray(body.tools)) throw invalidValue('tools', 'TYPE_MESSAGE', body.tools);
  body.tools.forEach((tool: unknown, i: number) => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalidValue(at, 'TYPE_MESSAGE', tool);
    checkFields(tool, new Set(['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'retrieval']), at);
    if (tool.functionDeclarations === undefined) return;
    if (!Array.isArray(tool.functionDeclarations)) throw invalidValue(`${at}.functionDeclarations`, 'TYPE_MESSAGE', tool.functionDeclarations);
    tool.functionDeclarations.forEach((fn: unknown, j: number) => {
      const f = `${at}.functionDeclarations[${j}]`;
      if (!isObject(fn)) throw invalidValue(f, 'TYPE_MESSAGE', fn);
      checkFields(fn, new Set(['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema', 'behavior']), f);
      if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
        throw invalid(`${f}.name`, 'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.');
      }
      if (fn.description !== undefined && typeof fn.description !== 'string') throw invalidValue(`${f}.description`, 'TYPE_STRING', fn.description);
      if (fn.parameters !== undefined && fn.parametersJsonSchema !== undefined) {
        throw invalid(`${f}`, 'parameters and parameters_json_schema are mutually exclusive; set one of them.');
      }
      if (fn.parameters !== undefined) checkSchema(fn.parameters, `${f}.parameters`);
      if (fn.parametersJsonSchema !== undefined) {
        const s = fn.parametersJsonSchema;
        if (!isObject(s)) throw invalidValue(`${f}.parametersJsonSchema`, 'TYPE_MESSAGE', s);
        if (s.type !== undefined && s.type !== 'object') throw invalid(`${f}.parametersJsonSchema`, 'the schema must describe an object (type "object").');
      }
      if (names.includes(fn.name)) throw invalid(`${f}.name`, `Duplicate function declaration name: ${fn.name}.`);
      names.push(fn.name);
    });
  });
  return { names };
}

function readToolConfig(body: Json, declared: Declared): Conversation['toolChoice'] {
  const tc = body.toolConfig;
  if (tc === undefined) return 'auto';
  if (!isObject(tc)) throw invalidValue('toolConfig', 'TYPE_MESSAGE', tc);
  checkFields(tc, new Set(['functionCallingConfig', 'retrievalConfig']), 'toolConfig');
  const fc = tc.functionCallingConfig;
  if (fc === undefined) return 'auto';
  if (!isObject(fc)) throw invalidValue('toolConfig.functionCallingConfig', 'TYPE_MESSAGE', fc);
  checkFields(fc, new Set(['mode', 'allowedFunctionNames']), 'toolConfig.functionCallingConfig');
  const mode = fc.mode ?? 'AUTO';
  if (typeof mode !== 'string' || !['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(mode)) {
    throw invalidValue('toolConfig.functionCallingConfig.mode', 'type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode', mode);
  }
  const allowed = fc.allowedFunctionNames;
  if (allowed !== undefined) {
    if (!Array.isArray(allowed) || allowed.some((n) => typeof n !== 'string')) throw invalidValue('toolConfig.functionCallingConfig.allowedFunctionNames', 'TYPE_STRING', allowed);
    if (mode !== 'ANY' && mode !== 'VALIDATED') {
      throw invalid('toolConfig.functionCallingConfig.allowedFunctionNames', 'allowed_function_names may only be set when mode is ANY or VALIDATED.');
    }
    for (const name of allowed as string[]) {
      if (!declared.names.includes(name)) throw invalid('toolConfig.functionCallingConfig.allowedFunctionNames', `Function ${name} is not declared in tools.`);
    }
  }
  if (mode === 'NONE') return 'none';
  if (Array.isArray(allowed) && allowed.length > 0) return { name: allowed[0] as string };
  return 'auto';
}

interface GenerationConfig {
  readonly stop: string[];
  readonly maxTokens: number | undefined;
  readonly json: GenerateContentRequest['json'];
  readonly candidateCount: number;
  readonly thinkingBudget: number | undefined;
}

function readGenerationConfig(body: Json): GenerationConfig {
  const g = body.generationConfig;
  if (g === undefined) return { stop: [], maxTokens: undefined, json: undefined, candidateCount: 1, thinkingBudget: undefined };
  if (!isObject(g)) throw invalidValue('generationConfig', 'TYPE_MESSAGE', g);
  for (const [key, value] of Object.entries(g)) {
    const kind = GENERATION_FIELDS[key];
    if (!kind) throw unknownField(key, 'generationConfig');
    const at = `generationConfig.${key}`;
    const ok =
      kind === 'number' ? typeof value === 'number'
      : kind === 'integer' ? typeof value === 'number' && Number.isInteger(value)
      : kind === 'boolean' ? typeof value === 'boolean'
      : kind === 'string' ? typeof value === 'string'
      : kind === 'strings' ? Array.isArray(value) && value.every((s) => typeof s === 'string')
      : isObject(value);
    if (!ok) throw invalidValue(at, PROTO_TYPES[kind]!, value);
  }
  if (typeof g.temperature === 'number' && (g.temperature < 0 || g.temperature > 2)) throw invalid('generationConfig.temperature', 'temperature must be between 0 and 2.');
  if (typeof g.topP === 'number' && (g.topP < 0 || g.topP > 1)) throw invalid('generationConfig.topP', 'top_p must be between 0 and 1.');
  if (typeof g.maxOutputTokens === 'number' && g.maxOutputTokens < 1) throw invalid('generationConfig.maxOutputTokens', 'max_output_tokens must be positive.');
  const stop = (g.stopSequences as string[] | undefined) ?? [];
  if (stop.length > 5) throw invalid('generationConfig.stopSequences', 'stop_sequences must have at most 5 entries.');
  const candidateCount = (g.candidateCount as number | undefined) ?? 1;
  if (candidateCount < 1 || candidateCount > 8) throw invalid('generationConfig.candidateCount', 'candidate_count must be between 1 and 8.');
  const mime = g.responseMimeType as string | undefined;
  if (mime !== undefined && !['text/plain', 'application/json', 'text/x.enum'].includes(mime)) {
    throw invalid('generationConfig.responseMimeType', `allowed mimetypes are \`text/plain\`, \`application/json\` and \`text/x.enum\`; got ${mime}.`);
  }
  if (g.responseSchema !== undefined && g.responseJsonSchema !== undefined) {
    throw invalid('generationConfig', 'response_schema and response_json_schema are mutually exclusive; set one of them.');
  }
  if (g.responseSchema !== undefined) checkSchema(g.responseSchema, 'generationConfig.responseSchema');
  if ((g.responseSchema !== undefined || g.responseJsonSchema !== undefined) && mime !== 'application/json' && mime !== 'text/x.enum') {
    throw invalid('generationConfig.responseMimeType', 'response_mime_type must be application/json when a response schema is set.');
  }
  let thinkingBudget: number | undefined;
  if (isObject(g.thinkingConfig)) {
    checkFields(g.thinkingConfig, new Set(['thinkingBudget', 'includeThoughts', 'thinkingLevel']), 'generationConfig.thinkingConfig');
    const b = g.thinkingConfig.thinkingBudget;
    if (b !== undefined && (typeof b !== 'number' || !Number.isInteger(b))) throw invalidValue('generationConfig.thinkingConfig.thinkingBudget', 'TYPE_INT32', b);
    thinkingBudget = b as number | undefined;
  }
  const schema = (g.responseJsonSchema ?? g.responseSchema) as Json | undefined;
  return {
    stop,
    maxTokens: g.maxOutputTokens as number | undefined,
    json: mime === 'application/json' ? { schema } : undefined,
    candidateCount,
    thinkingBudget,
  };
}

/**
 * Validates a generateContent body for `model`; throws BadRequest. `signatures` are the thought
 * signatures this server issued: Gemini 3 models refuse a replayed function call without one.
 */
export function readGenerateContentRequest(body: unknown, model: string, signatures: ReadonlySet<string>): GenerateContentRequest {
  if (!isObject(body)) throw new BadRequest(`Invalid JSON payload received. Expected an object, got ${jsonType(body)}.`, null, 'INVALID_ARGUMENT');
  checkFields(body, TOP_LEVEL, '');
  const contents = body.contents;
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) throw invalid('contents', 'contents is not specified');
  if (!Array.isArray(contents)) throw invalidValue('contents', 'TYPE_MESSAGE', contents);
  const system = readSystem(body);
  const declared = readTools(body);
  const toolChoice = readToolConfig(body, declared);
  const config = readGenerationConfig(body);

  let promptWords = countWords(system);
  let lastUserText = '';
  let pendingCalls: string[] = [];
  let last: { role: string; parts: Json[] } = { role: '', parts: [] };
  contents.forEach((content: unknown, i: number) => {
    const at = `contents[${i}]`;
    if (!isObject(content)) throw invalidValue(at, 'TYPE_MESSAGE', content);
    checkFields(content, new Set(['role', 'parts']), at);
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model') throw new BadRequest('Please use a valid role: user, model.', `${at}.role`, 'INVALID_ARGUMENT');
    const parts = readParts(content, at, role);
    const responses = parts.filter((p) => p.functionResponse !== undefined).map((p) => (p.functionResponse as Json).name as string);
    if (responses.length > 0) {
      if (responses.length !== pendingCalls.length) {
        throw new BadRequest('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.', at, 'INVALID_ARGUMENT');
      }
      const unanswered = [...pendingCalls];
      for (const name of responses) {
        const k = unanswered.indexOf(name);
        if (k === -1) throw invalid(`${at}.parts`, `function_response.name '${name}' does not match a function_call of the previous turn.`);
        unanswered.splice(k, 1);
      }
    }
    const calls = parts.filter((p) => p.functionCall !== undefined);
    if (calls.length > 0 && /^gemini-3/.test(model)) {
      const signature = calls[0]!.thoughtSignature;
      if (signature === undefined) {
        throw new BadRequest(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((calls[0]!.functionCall as Json).name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`, `${at}.parts`, 'INVALID_ARGUMENT');
      }
      if (signature !== SKIP_THOUGHT_SIGNATURE && !signatures.has(signature as string)) throw new BadRequest('Corrupted thought signature.', `${at}.parts`, 'INVALID_ARGUMENT');
    }
    pendingCalls = role === 'model' ? calls.map((p) => (p.functionCall as Json).name as string) : [];
    const text = parts.map(partText).filter((t) => t !== '').join(' ');
    promptWords += countWords(text);
    for (const p of parts) if (p.functionResponse !== undefined) promptWords += countWords(responseText((p.functionResponse as Json).response as Json));
    if (role === 'user' && parts.some((p) => typeof p.text === 'string')) lastUserText = text;
    last = { role, parts };
  });
  const results = last.parts.filter((p) => p.functionResponse !== undefined).map((p) => responseText((p.functionResponse as Json).response as Json));
  const resultText = last.role === 'user' && results.length > 0 ? results.join(' ') : null;
  return {
    conversation: {
      lastUserText,
      toolResultText: resultText,
      lastIsUser: last.role === 'user' && resultText === null,
      promptWords,
      tools: declared.names,
      toolChoice,
      stop: config.stop,
      maxTokens: config.maxTokens,
    },
    json: config.json,
    candidateCount: config.candidateCount,
    thinkingBudget: config.thinkingBudget,
  };
}

/** A JSON value that satisfies a (JSON or OpenAPI) schema, its strings filled with `text`. */
export function valueFor(schema: Json | undefined, text: string): unknown {
  if (!schema) return { reply: text };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (Array.isArray(schema.anyOf) && isObject(schema.anyOf[0])) return valueFor(schema.anyOf[0], text);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (typeof type === 'string' ? type.toLowerCase() : isObject(schema.properties) ? 'object' : 'string') {
    case 'object': {
      const out: Json = {};
      for (const [name, sub] of Object.entries(isObject(schema.properties) ? schema.properties : {})) out[name] = valueFor(isObject(sub) ? sub : undefined, text);
      return out;
    }
    case 'array':
      return [valueFor(isObject(schema.items) ? schema.items : undefined, text)];
    case 'integer':
    case 'number':
      return countWords(text);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return text;
  }
}
