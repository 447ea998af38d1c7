/**
 * A validated Messages body -> the canonical chat request (OpenAI's shape), for targets that do
 * not speak Messages natively. `system` becomes a system message, tool_result blocks become
 * `tool` messages, tool_use blocks become assistant `tool_calls`, images become `image_url`
 * parts. Thinking blocks, `cache_control`, `top_k` and the thinking setting have no canonical
 * equivalent and are dropped (they only matter to Anthropic, which gets the body natively).
 *
 * What cannot be expressed at all (a server tool, a block kind the gateway does not know) does
 * not fail the decode: a native target takes it as it is. It is recorded as `untranslatable`,
 * the 400 to answer if the request has to be translated.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, ToolChoice, ToolDefinition } from '../../api/types.js';
import { badRequest, type GatewayError } from '../../http/errors.js';
import type { Json } from './checks.js';
import type { Block, MessageParam, MessagesBody, ToolChoiceParam } from './wire.js';

export interface Translation {
  readonly canonical: ChatRequest;
  /** The 400 for the first thing only a native Messages provider can take, if any. */
  readonly untranslatable: GatewayError | undefined;
}

/** Prefix of a tool result's text when the tool reported an error (`is_error`): the canonical form has no flag for it. */
export const TOOL_ERROR_PREFIX = 'Error: ';

class Translator {
  untranslatable: GatewayError | undefined;

  /** Records what cannot be translated (the first one is reported) and drops it. */
  refuse(param: string, what: string): undefined {
    this.untranslatable ??= badRequest(
      `${what} at '${param}' has no equivalent outside Anthropic's Messages API; it needs a Claude model.`,
      param,
      'unsupported_value',
    );
    return undefined;
  }

  messages(body: MessagesBody): ChatMessage[] {
    const out: ChatMessage[] = [];
    const system = systemText(body.system);
    if (system !== undefined) out.push({ role: 'system', content: system });
    body.messages.forEach((m, i) => {
      // An empty final assistant turn (a prefill not yet written) says nothing a chat model reads.
      if (m.role === 'assistant' && m.content.length === 0) return;
      out.push(...(m.role === 'assistant' ? [this.assistant(m, i)] : this.user(m, i)));
    });
    return out;
  }

  /** Tool results first (they must follow the assistant's tool calls), then what the user said. */
  private user(m: MessageParam, i: number): ChatMessage[] {
    if (typeof m.content === 'string') return [{ role: 'user', content: m.content }];
    const results: ChatMessage[] = [];
    const parts: ContentPart[] = [];
    m.content.forEach((block, k) => {
      const at = `messages[${i}].content[${k}]`;
      if (block.type !== 'tool_result') {
        const part = this.part(block, at);
        if (part) parts.push(part);
        return;
      }
      const { text, images } = this.toolResult(block, at);
      results.push({ role: 'tool', tool_call_id: block.tool_use_id as string, content: text });
      // A tool message holds text only; what the tool showed follows as the user's content.
      parts.push(...images);
    });
    if (parts.length > 0) results.push({ role: 'user', content: parts });
    return results;
  }

  private toolResult(block: Block, at: string): { text: string; images: ContentPart[] } {
    const prefix = block.is_error === true ? TOOL_ERROR_PREFIX : '';
    const content = block.content;
    if (content === undefined || content === null || typeof content === 'string') return { text: prefix + (content ?? ''), images: [] };
    const texts: string[] = [];
    const images: ContentPart[] = [];
    (content as Block[]).forEach((inner, k) => {
      const part = this.part(inner, `${at}.content[${k}]`);
      if (part?.type === 'text') texts.push((part as { text: string }).text);
      else if (part) images.push(part);
    });
    return { text: prefix + texts.join('\n'), images };
  }

  private assistant(m: MessageParam, i: number): ChatMessage {
    if (typeof m.content === 'string') return { role: 'assistant', content: m.content };
    let text = '';
    const calls: ToolCall[] = [];
    m.content.forEach((block, k) => {
      const at = `messages[${i}].content[${k}]`;
      if (block.type === 'text') text += block.text as string;
      else if (block.type === 'tool_use') {
        calls.push({ id: block.id as string, type: 'function', function: { name: block.name as string, arguments: JSON.stringify(block.input) } });
      } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') this.refuse(at, `A '${block.type}' block in an assistant turn`);
    });
    const message: ChatMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
    if (calls.length > 0) message.tool_calls = calls;
    return message;
  }

  /** A user-side block as a canonical content part. */
  private part(block: Block, at: string): ContentPart | undefined {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text as string };
      case 'image': {
        const source = block.source as Json;
        if (source.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type as string};base64,${source.data as string}` } };
        if (source.type === 'url') return { type: 'image_url', image_url: { url: source.url as string } };
        return this.refuse(`${at}.source.type`, `An image from a '${String(source.type)}' source`);
      }
      case 'document':
        return this.document(block, at);
      default:
        return this.refuse(`${at}.type`, `A '${block.type}' block`);
    }
  }

  /** Plain-text documents become text; base64 PDFs become OpenAI file parts. */
  private document(block: Block, at: string): ContentPart | undefined {
    const source = block.source as Json;
    if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
    if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
      const filename = typeof block.title === 'string' ? block.title : 'document.pdf';
      return { type: 'file', file: { filename, file_data: `data:${source.media_type};base64,${source.data}` } };
    }
    return this.refuse(`${at}.source.type`, `A document from a '${String(source.type)}' source`);
  }

  tools(body: MessagesBody): ToolDefinition[] | undefined {
    if (!body.tools || body.tools.length === 0) return undefined;
    const tools: ToolDefinition[] = [];
    body.tools.forEach((t, i) => {
      if (t.type !== undefined && t.type !== null && t.type !== 'custom') return this.refuse(`tools[${i}].type`, `The server tool '${t.type}'`);
      tools.push({
        type: 'function',
        function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.input_schema ?? {} },
      });
    });
    return tools.length > 0 ? tools : undefined;
  }
}

function systemText(system: MessagesBody['system']): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  return system.length > 0 ? system.map((b) => b.text as string).join('\n') : undefined;
}

function toolChoice(choice: ToolChoiceParam): ToolChoice {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name as string } };
    default:
      return 'auto';
  }
}

/** Translates a validated Messages body to the canonical request. */
export function toCanonical(body: MessagesBody): Translation {
  const t = new Translator();
  const canonical: ChatRequest = { model: body.model, messages: t.messages(body) };
  if (body.max_tokens !== undefined) canonical.max_tokens = body.max_tokens;
  if (body.stream === true) {
    canonical.stream = true;
    // A Messages stream always ends with its usage, so the canonical stream must carry it.
    canonical.stream_options = { include_usage: true };
  }
  if (typeof body.temperature === 'number') canonical.temperature = body.temperature;
  if (typeof body.top_p === 'number') canonical.top_p = body.top_p;
  if (body.stop_sequences && body.stop_sequences.length > 0) canonical.stop = body.stop_sequences;
  if (typeof body.metadata?.user_id === 'string') canonical.user = body.metadata.user_id;
  const tools = t.tools(body);
  // OpenAI refuses tool_choice and parallel_tool_calls without tools; with none there is nothing to choose.
  if (tools) {
    canonical.tools = tools;
    if (body.tool_choice) {
      canonical.tool_choice = toolChoice(body.tool_choice);
      if (body.tool_choice.disable_parallel_tool_use === true) canonical.parallel_tool_calls = false;
    }
  }
  return { canonical, untranslatable: t.untranslatable };
}
