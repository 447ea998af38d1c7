/**
 * Responses `tools` and `tool_choice`: validated, translated to the chat form, and resolved to
 * what the response object echoes. Function tools are `{type:'function', name, ...}` here (the
 * chat shape nests them under `function`); built-in tools (web_search, file_search, mcp, ...)
 * are OpenAI's own and pass only natively.
 */
import type { ToolChoice, ToolDefinition } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { absent, invalid, isObject, missing, optionalBoolean, optionalObject, optionalString } from './fields.js';
import type { FunctionTool, Json } from './types.js';

export interface ToolsTranslation {
  readonly tools: ToolDefinition[];
  /** What the response object lists in `tools`. */
  readonly echo: Json[];
  readonly names: string[];
  readonly untranslatable: string | null;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** @throws GatewayError 400 naming the bad tool field (`tools[1].name`) */
export function translateTools(tools: unknown): ToolsTranslation {
  if (absent(tools)) return { tools: [], echo: [], names: [], untranslatable: null };
  if (!Array.isArray(tools)) invalid('tools', 'an array of tools');
  const out: ToolDefinition[] = [];
  const echo: Json[] = [];
  const names: string[] = [];
  let untranslatable: string | null = null;
  tools.forEach((tool: unknown, i: number) => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) invalid(at, 'a tool object');
    if (typeof tool.type !== 'string') missing(`${at}.type`);
    if (tool.type !== 'function') {
      untranslatable ??= `${at}.type`;
      echo.push(tool);
      return;
    }
    // The chat shape nests the definition under `function`: the real API answers this same 400.
    if (tool.name === undefined) missing(`${at}.name`);
    const name = optionalString(tool.name, `${at}.name`) as string;
    if (!NAME.test(name)) invalid(`${at}.name`, 'a name of 1 to 64 letters, digits, underscores or dashes');
    const description = optionalString(tool.description, `${at}.description`);
    const parameters = optionalObject(tool.parameters, `${at}.parameters`);
    const strict = optionalBoolean(tool.strict, `${at}.strict`);
    const fn: ToolDefinition['function'] = { name };
    if (description !== undefined) fn.description = description;
    if (parameters !== undefined) fn.parameters = parameters;
    if (strict !== undefined) fn.strict = strict;
    out.push({ type: 'function', function: fn });
    const echoed: FunctionTool = { type: 'function', name, description: description ?? null, parameters: parameters ?? null, strict: strict ?? null };
    echo.push(echoed as unknown as Json);
    names.push(name);
  });
  return { tools: out, echo, names, untranslatable };
}

export interface ToolChoiceTranslation {
  /** The chat form, or undefined for the default (`auto`). */
  readonly toolChoice: ToolChoice | undefined;
  readonly echo: unknown;
  readonly untranslatable: string | null;
}

/** @throws GatewayError 400 when `tool_choice` is malformed or names a function not in `tools` */
export function translateToolChoice(choice: unknown, names: readonly string[]): ToolChoiceTranslation {
  if (absent(choice)) return { toolChoice: undefined, echo: 'auto', untranslatable: null };
  if (choice === 'none' || choice === 'auto' || choice === 'required') return { toolChoice: choice, echo: choice, untranslatable: null };
  const expected = "'none', 'auto', 'required' or {\"type\": \"function\", \"name\": ...}";
  if (!isObject(choice) || typeof choice.type !== 'string') invalid('tool_choice', expected);
  if (choice.type !== 'function') return { toolChoice: undefined, echo: choice, untranslatable: 'tool_choice' };
  if (choice.name === undefined) missing('tool_choice.name');
  const name = optionalString(choice.name, 'tool_choice.name') as string;
  if (!names.includes(name)) {
    throw badRequest(`Tool choice '${name}' not found in 'tools' parameter.`, 'tool_choice', 'invalid_value');
  }
  return { toolChoice: { type: 'function', function: { name } }, echo: { type: 'function', name }, untranslatable: null };
}
