/**
 * Model routing: which provider targets may answer a requested model, in which order.
 * Config routes first (exact names, then `*` patterns in file order), then `provider/model`
 * (`mock/echo`, `azure/<deployment>`, `bedrock/<modelId>`, ...), then the models a provider lists
 * under their bare names, then the built-in families (`claude-*` to anthropic, `gemini-*` to
 * gemini or else vertex, OpenAI's families to openai). Anything else is an unknown model (404)
 * rather than a billable round trip that fails upstream.
 */
import type { GatewayConfig, RouteConfig, TargetConfig } from '../config/schema.js';
import { notFound } from '../http/errors.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { ProviderType } from '../config/schema.js';

export interface Target {
  readonly provider: ProviderAdapter;
  /** The model name sent upstream. */
  readonly model: string;
  readonly weight: number;
  /** `provider/model`: the breaker and health key, and a metric label value. */
  readonly id: string;
}

export interface Route {
  /** The route's name for errors and spans: its `match` pattern, or `provider/model`. */
  readonly name: string;
  readonly strategy: RouteConfig['strategy'];
  readonly targets: readonly Target[];
  readonly fallbacks: readonly Target[];
  readonly cache: RouteConfig['cache'];
}

const OPENAI_FAMILIES = /^(gpt-|chatgpt-|o\d|text-embedding-|ft:|davinci|babbage|omni-|codex-|computer-use-)/;

/** Built-in families: a model name's prefix, and the providers that serve it, first enabled wins. */
const FAMILIES: ReadonlyArray<{ readonly matches: (model: string) => boolean; readonly providers: readonly string[] }> = [
  { matches: (m) => m.startsWith('claude-'), providers: ['anthropic'] },
  { matches: (m) => m.startsWith('gemini-'), providers: ['gemini', 'vertex'] },
  { matches: (m) => OPENAI_FAMILIES.test(m), providers: ['openai'] },
];

/**
 * Types whose models are named `<provider>/<model>` (listed so by `/v1/models`, reached only
 * that way): a bare name they list must not pull, say, `gpt-4o` away from openai.
 */
const PREFIXED_TYPES: ReadonlySet<ProviderType> = new Set(['azure', 'gemini', 'vertex', 'bedrock', 'mock']);

export class Router {
  private readonly exact = new Map<string, RouteConfig>();
  private readonly patterns: Array<{ regex: RegExp; route: RouteConfig }> = [];
  /** Routes built from config are resolved once and reused. */
  private readonly resolved = new Map<string, Route>();

  constructor(
    config: GatewayConfig,
    private readonly providers: ReadonlyMap<string, ProviderAdapter>,
  ) {
    for (const route of config.routes) {
      for (const t of [...route.targets, ...route.fallbacks]) {
        if (!providers.has(t.provider)) {
          throw new Error(`routes[${route.match}]: unknown provider '${t.provider}' (known: ${[...providers.keys()].join(', ')})`);
        }
      }
      if (route.match.includes('*')) this.patterns.push({ regex: globToRegex(route.match), route });
      else this.exact.set(route.match, route);
    }
  }

  /** @throws GatewayError 404 for an unknown model or provider prefix */
  resolve(model: string): Route {
    const cached = this.resolved.get(model);
    if (cached) return cached;
    const route = this.lookup(model);
    // Bounded memo: only config routes and known families get here, but callers choose names.
    if (this.resolved.size < 10_000) this.resolved.set(model, route);
    return route;
  }

  /**
   * Models for `GET /v1/models`: route aliases and every enabled provider's listed models, a
   * cloud provider's (and the mock's) as `<provider>/<model>`, the name that reaches them.
   */
  listModels(): Array<{ id: string; owned_by: string }> {
    const seen = new Map<string, string>();
    for (const name of this.exact.keys()) seen.set(name, 'llm-edge-agent');
    for (const provider of this.providers.values()) {
      const prefix = PREFIXED_TYPES.has(provider.type) ? `${provider.name}/` : '';
      for (const model of provider.models) {
        const id = prefix && !model.startsWith(prefix) ? prefix + model : model;
        if (!seen.has(id)) seen.set(id, provider.name);
      }
    }
    return [...seen].map(([id, owned_by]) => ({ id, owned_by }));
  }

  private lookup(model: string): Route {
    const configured = this.exact.get(model) ?? this.patterns.find((p) => p.regex.test(model))?.route;
    if (configured) return this.fromConfig(configured, model);

    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = this.providers.get(model.slice(0, slash));
      if (provider) return this.single(provider, model.slice(slash + 1), model);
      if (!this.listedBy(model)) {
        throw notFound(`Unknown provider '${model.slice(0, slash)}' in model '${model}'.`, 'model', 'unknown_provider');
      }
    }
    const listed = this.listedBy(model);
    if (listed) return this.single(listed, model, model);
    const family = FAMILIES.find((f) => f.matches(model));
    const provider = family?.providers.map((name) => this.providers.get(name)).find((p) => p !== undefined);
    if (provider) return this.single(provider, model, model);
    throw notFound(`The model '${model}' does not exist or is not routed by this gateway.`, 'model', 'model_not_found');
  }

  private listedBy(model: string): ProviderAdapter | undefined {
    for (const provider of this.providers.values()) {
      if (!PREFIXED_TYPES.has(provider.type) && provider.models.includes(model)) return provider;
    }
    return undefined;
  }

  private single(provider: ProviderAdapter, upstreamModel: string, name: string): Route {
    return { name, strategy: 'ordered', targets: [this.target({ provider: provider.name, weight: 1 }, upstreamModel)], fallbacks: [], cache: {} };
  }

  private fromConfig(route: RouteConfig, requested: string): Route {
    return {
      name: route.match,
      strategy: route.strategy,
      targets: route.targets.map((t) => this.target(t, requested)),
      fallbacks: route.fallbacks.map((t) => this.target(t, requested)),
      cache: route.cache,
    };
  }

  private target(t: Pick<TargetConfig, 'provider' | 'weight'> & { model?: string }, requested: string): Target {
    const provider = this.providers.get(t.provider)!;
    const model = t.model ?? requested;
    return { provider, model, weight: t.weight, id: `${provider.name}/${model}` };
  }
}

function globToRegex(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
