/**
 * Any OpenAI-compatible server (vLLM, Ollama, LM Studio, a local model): the OpenAI adapter with
 * its own base URL, an optional key, and the models it serves listed in the config.
 */
import type { ProviderConfig } from '../../config/schema.js';
import { OpenAIAdapter } from '../openai/index.js';

export class OpenAICompatibleAdapter extends OpenAIAdapter {
  constructor(name: string, config: ProviderConfig) {
    super(name, config);
  }
}
