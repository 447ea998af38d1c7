/**
 * The `input` of a Responses request (a string, or a list of items) validated and translated,
 * in one pass, into canonical chat messages: message items keep their role, function_call
 * items become an assistant message's tool_calls (consecutive calls, and calls right after the
 * assistant's own text, in one message, as chat carries one assistant turn), function_call_output
 * items become tool messages, reasoning items are dropped (only OpenAI reads them).
 */
import type { ChatMessage, ContentPart, ToolCall } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { absent, invalid, isObject, missing, oneOf, optionalString, requireString } from './fields.js';
import type { Json } from './types.js';

export interface InputTranslation {
  readonly messages: ChatMessage[];
  readonly functionCallIds: string[];
  /** Outputs whose call is not in this input: a previous response must hold it. */
  readonly pendingOutputs: Array<{ callId: string; param: string }>;
  /** The first item or part the canonical form cannot carry, or null. */
  readonly untranslatable: string | null;
}

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;
const DETAILS = ['low', 'high', 'auto'] as const;

/** Output items of OpenAI's built-in tools: valid input for OpenAI itself, meaningless to any other provider. */
const NATIVE_ITEMS = new Set([
  'item_reference',
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'image_generation_call',
  'code_interpreter_call',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'custom_tool_call',
  'custom_tool_call_output',
  'compaction',
]);

/**
 * Validates `input` and translates it to canonical messages.
 * @throws GatewayError 400 whose `param` names the bad item or field (`input[2].call_id`)
 * @example
 * translateInput('hi').messages; // [{ role: 'user', content: 'hi' }]
 */
export function translateInput(input: unknown): InputTranslation {
  if (input === undefined) missing('input');
  if (typeof input === 'string') {
    return { messages: [{ role: 'user', content: input }], functionCallIds: [], pendingOutputs: [], untranslatable: null };
  }
  if (!Array.isArray(input) || input.length === 0) invalid('input', 'a string or a non-empty array of input items');
  return new InputReader().read(input);
}

class InputReader {
  private readonly messages: ChatMessage[] = [];
  private readonly functionCallIds: string[] = [];
  private readonly pendingOutputs: Array<{ callId: string; param: string }> = [];
  private untranslatable: string | null = null;
  /** The assistant message function calls join, while nothing else came after it. */
  private openAssistant: ChatMessage | null = null;

  read(items: unknown[]): InputTranslation {
    items.forEach((item, i) => this.item(item, `input[${i}]`));
    const { messages, functionCallIds, pendingOutputs, untranslatable } = this;
    return { messages, functionCallIds, pendingOutputs, untranslatable };
  }

  private refuseTranslation(param: string): void {
    this.untranslatable ??= param;
  }

  private push(message: ChatMessage, open: boolean): void {
    this.messages.push(message);
    this.openAssistant = open ? message : null;
  }

  private item(item: unknown, at: string): void {
    if (!isObject(item)) invalid(at, 'an input item object');
    const type = item.type === undefined ? 'message' : item.type;
    if (typeof type !== 'string') invalid(`${at}.type`, 'a string');
    switch (type) {
      case 'message':
        return this.message(item, at);
      case 'function_call':
        return this.functionCall(item, at);
      case 'function_call_output':
        return this.functionCallOutput(item, at);
      case 'reasoning':
        if (!absent(item.summary) && !Array.isArray(item.summary)) invalid(`${at}.summary`, 'an array');
        optionalString(item.encrypted_content, `${at}.encrypted_content`);
        return; // OpenAI's own reasoning state: dropped when translating, kept natively
      default:
        if (!NATIVE_ITEMS.has(type)) {
          throw badRequest(`Invalid value: '${type}'. Supported values are: 'message', 'function_call', 'function_call_output', 'reasoning' and OpenAI's built-in tool items.`, `${at}.type`, 'invalid_value');
        }
        if (type === 'item_reference') requireString(item.id, `${at}.id`, true);
        this.refuseTranslation(at);
    }
  }

  private message(item: Json, at: string): void {
    const role = item.role === undefined ? missing(`${at}.role`) : oneOf(item.role, `${at}.role`, ROLES);
    optionalString(item.id, `${at}.id`);
    optionalString(item.status, `${at}.status`);
    const { content } = item;
    if (content === undefined) missing(`${at}.content`);
    if (typeof content !== 'string' && !Array.isArray(content)) invalid(`${at}.content`, 'a string or an array of content parts');
    if (role === 'assistant') return this.assistantMessage(content, `${at}.content`);
    if (typeof content === 'string') return this.push({ role, content }, false);
    const parts = content.map((part, k) => this.inputPart(part, `${at}.content[${k}]`));
    this.push({ role, content: parts }, false);
  }

  private assistantMessage(content: string | unknown[], at: string): void {
    if (typeof content === 'string') return this.push({ role: 'assistant', content }, true);
    const texts: string[] = [];
    const refusals: string[] = [];
    content.forEach((part, k) => {
      const here = `${at}[${k}]`;
      if (!isObject(part)) invalid(here, 'a content part object');
      switch (part.type) {
        case 'output_text':
        case 'input_text':
          texts.push(requireString(part.text, `${here}.text`));
          if (!absent(part.annotations) && !Array.isArray(part.annotations)) invalid(`${here}.annotations`, 'an array');
          break;
        case 'refusal':
          refusals.push(requireString(part.refusal, `${here}.refusal`));
          break;
        default:
          throw badRequest(`Invalid value: '${String(part.type)}'. Supported values are: 'output_text' and 'refusal'.`, `${here}.type`, 'invalid_value');
      }
    });
    const message: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
    if (refusals.length > 0) message.refusal = refusals.join('');
    this.push(message, true);
  }

  private inputPart(part: unknown, at: string): ContentPart {
    if (!isObject(part)) invalid(at, 'a content part object');
    switch (part.type) {
      case 'input_text':
        return { type: 'text', text: requireString(part.text, `${at}.text`) };
      case 'input_image':
        return this.image(part, at);
      case 'input_file':
        return this.file(part, at);
      default:
        throw badRequest(`Invalid value: '${String(part.type)}'. Supported values are: 'input_text', 'input_image', and 'input_file'.`, `${at}.type`, 'invalid_value');
    }
  }

  private image(part: Json, at: string): ContentPart {
    const url = optionalString(part.image_url, `${at}.image_url`);
    const fileId = optionalString(part.file_id, `${at}.file_id`);
    const detail = absent(part.detail) ? undefined : oneOf(part.detail, `${at}.detail`, DETAILS);
    if (url === undefined && fileId === undefined) missing(`${at}.image_url`);
    // Chat can only point at an image by URL (or data URL), not by an OpenAI file id.
    if (url === undefined) this.refuseTranslation(`${at}.file_id`);
    return { type: 'image_url', image_url: detail === undefined ? { url: url ?? '' } : { url: url ?? '', detail } };
  }

  private file(part: Json, at: string): ContentPart {
    const fileId = optionalString(part.file_id, `${at}.file_id`);
    const fileData = optionalString(part.file_data, `${at}.file_data`);
    const fileUrl = optionalString(part.file_url, `${at}.file_url`);
    const filename = optionalString(part.filename, `${at}.filename`);
    if (fileId === undefined && fileData === undefined && fileUrl === undefined) missing(`${at}.file_id`);
    if (fileUrl !== undefined) this.refuseTranslation(`${at}.file_url`);
    const file: Json = {};
    if (fileId !== undefined) file.file_id = fileId;
    if (fileData !== undefined) file.file_data = fileData;
    if (filename !== undefined) file.filename = filename;
    return { type: 'file', file };
  }

  private functionCall(item: Json, at: string): void {
    const callId = requireString(item.call_id, `${at}.call_id`, true);
    const name = requireString(item.name, `${at}.name`, true);
    const args = requireString(item.arguments, `${at}.arguments`);
    optionalString(item.id, `${at}.id`);
    optionalString(item.status, `${at}.status`);
    const call: ToolCall = { id: callId, type: 'function', function: { name, arguments: args } };
    this.functionCallIds.push(callId);
    const open = this.openAssistant;
    if (open) (open.tool_calls ??= []).push(call);
    else this.push({ role: 'assistant', content: null, tool_calls: [call] }, true);
  }

  private functionCallOutput(item: Json, at: string): void {
    const callId = requireString(item.call_id, `${at}.call_id`, true);
    optionalString(item.id, `${at}.id`);
    optionalString(item.status, `${at}.status`);
    const content = this.outputContent(item.output, `${at}.output`);
    if (!this.functionCallIds.includes(callId)) this.pendingOutputs.push({ callId, param: `${at}.call_id` });
    this.push({ role: 'tool', tool_call_id: callId, content }, false);
  }

  /** A tool result: a string, or parts whose text is joined (chat tool messages carry text only). */
  private outputContent(output: unknown, at: string): string {
    if (output === undefined) missing(at);
    if (typeof output === 'string') return output;
    if (!Array.isArray(output)) invalid(at, 'a string or an array of content parts');
    const texts: string[] = [];
    output.forEach((part, k) => {
      const here = `${at}[${k}]`;
      const translated = this.inputPart(part, here);
      if (translated.type === 'text') texts.push((translated as { text: string }).text);
      else this.refuseTranslation(here);
    });
    return texts.join('');
  }
}
