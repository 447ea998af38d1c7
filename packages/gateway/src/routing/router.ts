/**
 * Model routing: which provider targets may answer a requested model, in which order.
 * Config routes first (exact names, then `*` patterns in file order), then `provider/model`,
 * then the built-in families (`claude-*` to anthropic, OpenAI's families to openai, and the
 * models an OpenAI-compatible provider lists). Anything else is an unknown model (404) rather
 * than a billable round trip that fails upstream.
 */
import type { GatewayConfig, RouteConfig, TargetConfig } from '../config/schema.js';
import { notFound } from '../http/errors.js';
import type { ProviderAdapter } from '../providers/types.js';

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

  /** Models for `GET /v1/models`: route aliases and every provider's listed models. */
  listModels(): Array<{ id: string; owned_by: string }> {
    const seen = new Map<string, string>();
    for (const name of this.exact.keys()) seen.set(name, 'llm-edge-agent');
    for (const provider of this.providers.values()) {
      for (const id of provider.models) if (!seen.has(id)) seen.set(id, provider.name);
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
    const family = model.startsWith('claude-') ? 'anthropic' : OPENAI_FAMILIES.test(model) ? 'openai' : undefined;
    const provider = family ? this.providers.get(family) : undefined;
    if (provider) return this.single(provider, model, model);
    throw notFound(`The model '${model}' does not exist or is not routed by this gateway.`, 'model', 'model_not_found');
  }

  private listedBy(model: string): ProviderAdapter | undefined {
    for (const provider of this.providers.values()) if (provider.models.includes(model)) return provider;
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
