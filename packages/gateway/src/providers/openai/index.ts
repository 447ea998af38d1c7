/**
 * OpenAI and every server that speaks its API (vLLM, Ollama, LM Studio, ...): the canonical shape
 * is theirs, so requests pass with the target model swapped in and answers pass back as bytes.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, EmbeddingsRequest, Usage } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import { listedModels } from '../../telemetry/prices.js';
import type { CallOptions, ChatAnswer, JsonAnswer, ProviderAdapter, StreamEvent } from '../types.js';
import { streamBatches } from '../stream-batches.js';
import { UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';

export class OpenAIAdapter implements ProviderAdapter {
  readonly type: ProviderConfig['type'];
  readonly models: readonly string[];
  protected readonly client: UpstreamClient;

  constructor(
    readonly name: string,
    protected readonly config: ProviderConfig,
  ) {
    this.type = config.type;
    this.models = config.models.length > 0 || config.type !== 'openai' ? config.models : listedModels('openai');
    this.client = new UpstreamClient(name, config);
  }

  get host(): string {
    return this.client.host;
  }

  async chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    // Usage is always asked for upstream so tokens and cost are counted; a caller that did not
    // ask for it does not get the usage-only chunk (the handler drops it).
    const body = stream
      ? JSON.stringify({ ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } })
      : (options.rawBody ?? JSON.stringify({ ...request, stream: false }));
    const res = await this.client.post('/chat/completions', body, this.headers(options), options.signal);
    if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
    if (!stream) return this.json<ChatCompletion>(res);
    return { kind: 'stream', events: this.events(res), cancel: () => res.body.destroy() };
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    const res = await this.client.post('/embeddings', options.rawBody ?? JSON.stringify(request), this.headers(options), options.signal);
    if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
    return this.json(res);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  protected headers(options: CallOptions): Record<string, string> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    return headers;
  }

  /**
   * A JSON answer passes through as the bytes received. Only its `usage` object is parsed (an
   * embeddings answer is mostly floats nobody here reads); the whole body is parsed on demand.
   */
  private async json<T>(res: UpstreamResponse): Promise<JsonAnswer<T>> {
    const bytes = await this.client.readAll(res);
    const text = bytes.toString('utf8');
    if (!/^\s*\{/.test(text)) throw new UpstreamError(this.name, ProviderErrorReason.server, 'answered with invalid JSON', res.status);
    let parsed: T | undefined;
    return {
      kind: 'json',
      bytes,
      get value(): T {
        return (parsed ??= JSON.parse(text) as T);
      },
      usage: usageIn(text),
    };
  }

  private events(res: UpstreamResponse): AsyncGenerator<StreamEvent[]> {
    let done = false;
    return streamBatches(this.name, res, {
      terminal: 'its terminal event',
      get done() {
        return done;
      },
      decode: ({ data }) => {
        if (data !== '[DONE]') return [this.event(data)];
        done = true;
        return [];
      },
    });
  }

  private event(payload: string): StreamEvent {
    // Only chunks that carry usage or an error are parsed; content chunks pass as text.
    if (payload.includes('"usage":{')) {
      const chunk = JSON.parse(payload) as { usage?: Usage; choices?: unknown[] };
      return { payload, usage: chunk.usage, usageOnly: Array.isArray(chunk.choices) && chunk.choices.length === 0 };
    }
    if (payload.startsWith('{"error"')) {
      const message = (JSON.parse(payload) as { error?: { message?: string } }).error?.message ?? 'stream error';
      throw new UpstreamError(this.name, ProviderErrorReason.streamBroken, message);
    }
    return { payload };
  }
}

/** The `usage` object of an OpenAI answer, found by its key and parsed alone. */
export function usageIn(text: string): Usage | undefined {
  const at = text.lastIndexOf('"usage"');
  if (at === -1) return undefined;
  const open = text.indexOf('{', at);
  if (open === -1 || !/^"usage"\s*:\s*$/.test(text.slice(at, open))) return undefined; // "usage": null
  // Usage holds numbers and nested objects of numbers: braces balance without string handling.
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) {
      try {
        return JSON.parse(text.slice(open, i + 1)) as Usage;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
