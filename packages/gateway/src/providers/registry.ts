/**
 * Provider adapters by name: a new provider type is a folder plus one line here.
 */
import type { GatewayConfig, ProviderConfig, ProviderType } from '../config/schema.js';
import { AnthropicAdapter } from './anthropic/index.js';
import { OpenAICompatibleAdapter } from './openai-compatible/index.js';
import { OpenAIAdapter } from './openai/index.js';
import type { ProviderAdapter } from './types.js';

const FACTORIES: Partial<Record<ProviderType, (name: string, config: ProviderConfig) => ProviderAdapter>> = {
  openai: (name, config) => new OpenAIAdapter(name, config),
  anthropic: (name, config) => new AnthropicAdapter(name, config),
  'openai-compatible': (name, config) => new OpenAICompatibleAdapter(name, config),
};

export function createProviders(config: GatewayConfig): Map<string, ProviderAdapter> {
  const providers = new Map<string, ProviderAdapter>();
  for (const [name, provider] of Object.entries(config.providers)) {
    const factory = FACTORIES[provider.type];
    if (!factory) throw new Error(`providers.${name}.type: '${provider.type}' has no adapter in this build`);
    providers.set(name, factory(name, provider));
  }
  return providers;
}
