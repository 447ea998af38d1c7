/**
 * `text` of a Responses request (`{format, verbosity}`): validated, translated to chat's
 * `response_format` (and `verbosity`), and resolved to what the response object echoes.
 */
import { absent, invalid, isObject, oneOf, optionalBoolean, optionalObject, optionalString, requireString } from './fields.js';
import type { Json } from './types.js';

export interface TextTranslation {
  readonly responseFormat: Record<string, unknown> | undefined;
  readonly verbosity: string | undefined;
  readonly echo: Json;
}

const FORMATS = ['text', 'json_object', 'json_schema'] as const;
const VERBOSITY = ['low', 'medium', 'high'] as const;

/**
 * @throws GatewayError 400 naming the bad field (`text.format.schema`)
 * @example
 * translateText({ format: { type: 'json_schema', name: 'x', schema: {} } }).responseFormat;
 * // { type: 'json_schema', json_schema: { name: 'x', schema: {} } }
 */
export function translateText(text: unknown): TextTranslation {
  const t = optionalObject(text, 'text');
  const verbosity = t === undefined || absent(t.verbosity) ? undefined : oneOf(t.verbosity, 'text.verbosity', VERBOSITY);
  const echo: Json = { format: { type: 'text' }, verbosity: verbosity ?? 'medium' };
  if (t === undefined || absent(t.format)) return { responseFormat: undefined, verbosity, echo };
  const f = t.format;
  if (!isObject(f)) invalid('text.format', 'an object');
  const type = oneOf(f.type, 'text.format.type', FORMATS);
  if (type === 'text') return { responseFormat: undefined, verbosity, echo };
  if (type === 'json_object') return { responseFormat: { type }, verbosity, echo: { ...echo, format: { type } } };
  const name = requireString(f.name, 'text.format.name', true);
  if (f.schema === undefined) requireString(undefined, 'text.format.schema');
  if (!isObject(f.schema)) invalid('text.format.schema', 'a JSON schema object');
  const description = optionalString(f.description, 'text.format.description');
  const strict = optionalBoolean(f.strict, 'text.format.strict');
  const jsonSchema: Json = { name, schema: f.schema };
  if (description !== undefined) jsonSchema.description = description;
  if (strict !== undefined) jsonSchema.strict = strict;
  const echoed: Json = { type, name, schema: f.schema, strict: strict ?? null };
  if (description !== undefined) echoed.description = description;
  return { responseFormat: { type, json_schema: jsonSchema }, verbosity, echo: { ...echo, format: echoed } };
}
