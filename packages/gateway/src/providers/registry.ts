/**
 * Provider adapters by name: a new provider type is a folder plus one line here.
 */
import type { GatewayConfig, ProviderConfig, ProviderType } from '../config/schema.js';
import { AnthropicAdapter } from './anthropic/index.js';
import { BedrockAdapter } from './bedrock/index.js';
import { AzureOpenAIAdapter } from './azure/index.js';
import { GeminiAdapter } from './gemini/index.js';
import { MockAdapter } from './mock/index.js';
import { OpenAICompatibleAdapter } from './openai-compatible/index.js';
import { OpenAIAdapter } from './openai/index.js';
import type { ProviderAdapter } from './types.js';
import { VertexAdapter } from './vertex/index.js';

const FACTORIES: Partial<Record<ProviderType, (name: string, config: ProviderConfig) => ProviderAdapter>> = {
  openai: (name, config) => new OpenAIAdapter(name, config),
  anthropic: (name, config) => new AnthropicAdapter(name, config),
  'openai-compatible': (name, config) => new OpenAICompatibleAdapter(name, config),
  gemini: (name, config) => new GeminiAdapter(name, config),
  vertex: (name, config) => new VertexAdapter(name, config),
  mock: (name, config) => new MockAdapter(name, config),
  bedrock: (name, config) => new BedrockAdapter(name, config),
  azure: (name, config) => new AzureOpenAIAdapter(name, config),
};

/** Whether this build has an adapter for the type (the config only creates providers from env that it can serve). */
export function hasAdapter(type: ProviderType): boolean {
  return FACTORIES[type] !== undefined;
}

export function createProviders(config: GatewayConfig): Map<string, ProviderAdapter> {
  const providers = new Map<string, ProviderAdapter>();
  for (const [name, provider] of Object.entries(config.providers)) {
    if (!provider.enabled) continue;
    const factory = FACTORIES[provider.type];
    if (!factory) throw new Error(`providers.${name}.type: '${provider.type}' has no adapter in this build`);
    providers.set(name, factory(name, provider));
  }
  return providers;
}
