/**
 * Named OpenAI-compatible services: a config that says `preset: groq` gets the base URL and
 * the variable its key is read from, so `providers: { groq: { type: openai-compatible, preset: groq } }`
 * is the whole configuration. Data only: the config schema and loader read it.
 * Base URLs end in the path the service's `/chat/completions` hangs off (its docs' `base_url`).
 */

export interface OpenAICompatiblePreset {
  readonly baseUrl: string;
  /** The environment variable holding the key; none for servers that run locally without one. */
  readonly keyEnv?: string;
}

export const OPENAI_COMPATIBLE_PRESETS = {
  ollama: { baseUrl: 'http://localhost:11434/v1' },
  vllm: { baseUrl: 'http://localhost:8000/v1' },
  lmstudio: { baseUrl: 'http://localhost:1234/v1' },
  mistral: { baseUrl: 'https://api.mistral.ai/v1', keyEnv: 'MISTRAL_API_KEY' },
  groq: { baseUrl: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY' },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY' },
  // Together's docs moved from api.together.xyz to api.together.ai; both hosts answer.
  together: { baseUrl: 'https://api.together.ai/v1', keyEnv: 'TOGETHER_API_KEY' },
  fireworks: { baseUrl: 'https://api.fireworks.ai/inference/v1', keyEnv: 'FIREWORKS_API_KEY' },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY' },
  xai: { baseUrl: 'https://api.x.ai/v1', keyEnv: 'XAI_API_KEY' },
} as const satisfies Record<string, OpenAICompatiblePreset>;

export type PresetName = keyof typeof OPENAI_COMPATIBLE_PRESETS;

/** The preset names, for the config schema's enum. */
export const PRESET_NAMES = Object.keys(OPENAI_COMPATIBLE_PRESETS) as [PresetName, ...PresetName[]];

/** A preset's entry, widened so `keyEnv` reads as optional on every one. */
export function presetOf(name: PresetName): OpenAICompatiblePreset {
  return OPENAI_COMPATIBLE_PRESETS[name];
}
