/**
 * Prices in US dollars per million tokens for the common OpenAI, Anthropic and Google models, as
 * the providers list them (list prices: no batch, tier or volume discounts); the config's
 * `pricing` overrides or extends the table. A dated model id
 * (`gpt-4o-2024-08-06`) takes the price of its longest listed prefix (`gpt-4o`).
 */
import type { Price } from '../config/schema.js';
import type { Usage } from '../api/types.js';

export interface ListedPrice extends Price {
  readonly provider: 'openai' | 'anthropic' | 'google' | 'bedrock';
}

export const DEFAULT_PRICES: Readonly<Record<string, ListedPrice>> = {
  'gpt-4.1': { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { provider: 'openai', input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { provider: 'openai', input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4-turbo': { provider: 'openai', input: 10, output: 30 },
  'gpt-4': { provider: 'openai', input: 30, output: 60 },
  'gpt-3.5-turbo': { provider: 'openai', input: 0.5, output: 1.5 },
  o1: { provider: 'openai', input: 15, output: 60, cachedInput: 7.5 },
  o3: { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
  'o3-mini': { provider: 'openai', input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { provider: 'openai', input: 1.1, output: 4.4, cachedInput: 0.275 },
  'text-embedding-3-small': { provider: 'openai', input: 0.02, output: 0 },
  'text-embedding-3-large': { provider: 'openai', input: 0.13, output: 0 },
  'text-embedding-ada-002': { provider: 'openai', input: 0.1, output: 0 },
  'claude-opus-4-1': { provider: 'anthropic', input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4': { provider: 'anthropic', input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4-5': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-7-sonnet': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-sonnet': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { provider: 'anthropic', input: 0.8, output: 4, cachedInput: 0.08 },
  'claude-3-haiku': { provider: 'anthropic', input: 0.25, output: 1.25, cachedInput: 0.03 },
  'claude-3-opus': { provider: 'anthropic', input: 15, output: 75, cachedInput: 1.5 },
  // Amazon Bedrock's on-demand list prices (us-east-1) under Bedrock's own model ids; cross-region
  // `us.`/`eu.` inference profiles are separate ids: price them in `pricing`.
  'anthropic.claude-3-5-haiku-20241022-v1:0': { provider: 'bedrock', input: 0.8, output: 4, cachedInput: 0.08 },
  'amazon.nova-lite-v1:0': { provider: 'bedrock', input: 0.06, output: 0.24, cachedInput: 0.015 },
  'amazon.nova-pro-v1:0': { provider: 'bedrock', input: 0.8, output: 3.2, cachedInput: 0.2 },
  'meta.llama3-1-8b-instruct-v1:0': { provider: 'bedrock', input: 0.22, output: 0.22 },
  // Google's list prices for the Gemini API's paid tier (standard, text input), prompts up to
  // 200k tokens: gemini-2.5-pro bills longer prompts at $2.50 in / $15 out / $0.25 cached, which
  // a flat table cannot tell apart. Thinking tokens are output tokens. Vertex AI lists the same
  // per-token prices for these models.
  'gemini-2.5-pro': { provider: 'google', input: 1.25, output: 10, cachedInput: 0.125 },
  'gemini-2.5-flash': { provider: 'google', input: 0.3, output: 2.5, cachedInput: 0.03 },
  'gemini-2.5-flash-lite': { provider: 'google', input: 0.1, output: 0.4, cachedInput: 0.01 },
  'gemini-2.0-flash': { provider: 'google', input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-2.0-flash-lite': { provider: 'google', input: 0.075, output: 0.3 },
  'gemini-embedding-001': { provider: 'google', input: 0.15, output: 0 },
  // Free of charge on the Gemini API; Vertex AI bills it per character: set `pricing` there.
  'text-embedding-004': { provider: 'google', input: 0, output: 0 },
};

export class PriceTable {
  private readonly prices: Map<string, Price>;
  /** Longest prefixes first, so `gpt-4o-mini-2024` finds `gpt-4o-mini` before `gpt-4o`. */
  private readonly prefixes: string[];
  private readonly memo = new Map<string, Price | null>();

  constructor(overrides: Readonly<Record<string, Price>> = {}) {
    this.prices = new Map<string, Price>([...Object.entries(DEFAULT_PRICES), ...Object.entries(overrides)]);
    this.prefixes = [...this.prices.keys()].sort((a, b) => b.length - a.length);
  }

  /** The price of a model (exact id, else longest listed prefix), or undefined when unknown. */
  priceOf(model: string): Price | undefined {
    let price = this.memo.get(model);
    if (price === undefined) {
      const key = this.prices.has(model) ? model : this.prefixes.find((p) => model.startsWith(`${p}-`) || model.startsWith(p + '@'));
      price = key ? this.prices.get(key)! : null;
      if (this.memo.size < 10_000) this.memo.set(model, price);
    }
    return price ?? undefined;
  }

  /** Dollars for a usage; cached input tokens at the cached price where the model has one. */
  cost(model: string, usage: Usage | undefined): number {
    const price = usage && this.priceOf(model);
    if (!price || !usage) return 0;
    const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
    const fresh = usage.prompt_tokens - cached;
    const input = fresh * price.input + cached * (price.cachedInput ?? price.input);
    return (input + usage.completion_tokens * price.output) / 1_000_000;
  }
}

/** Model ids a built-in provider lists in `GET /v1/models` when its config lists none. */
export function listedModels(provider: ListedPrice['provider']): string[] {
  return Object.entries(DEFAULT_PRICES)
    .filter(([, p]) => p.provider === provider)
    .map(([id]) => id);
}
