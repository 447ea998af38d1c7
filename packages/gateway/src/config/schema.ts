/**
 * The gateway's configuration: one schema for the YAML file (`LLM_EDGE_CONFIG`) and the
 * environment variables layered over it. Every field has its default here, so a reader sees the
 * whole configuration surface in one place.
 */
import { TRACING_DEFAULTS } from '@llm-edge/semconv';
import { z } from 'zod';
import { presetOf, PRESET_NAMES } from '../providers/openai-compatible/presets.js';
import { BudgetSchema, GovernanceSchema, ModelPatternSchema, TeamSchema } from './governance.js';
import { ResilienceSchema } from './resilience.js';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  metricsPort: 9090,
  bodyLimitBytes: 10 * 1024 * 1024,
  drainDelayMs: 5_000,
  shutdownTimeoutMs: 25_000,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
};
const url = z.url({ protocol: /^https?$/ });

export const ProviderType = z.enum(['openai', 'anthropic', 'openai-compatible', 'azure', 'gemini', 'vertex', 'bedrock', 'mock']);
export type ProviderType = z.infer<typeof ProviderType>;

export const TimeoutsSchema = z
  .object({
    /** TCP connect to the provider. */
    connectMs: positiveInt.default(5_000),
    /** Request sent to first response byte (headers). */
    firstByteMs: positiveInt.default(60_000),
    /** Whole attempt, body included (streams: see idleMs). */
    totalMs: positiveInt.default(300_000),
    /** Longest silence between two stream chunks. */
    idleMs: positiveInt.default(30_000),
  })
  .strict();

/**
 * Where each type's API lives when the config names no `baseUrl`: origins (plus the version path
 * OpenAI's SDK convention puts in the base URL), never a guess for a type that needs an endpoint
 * (`azure`, `openai-compatible` without a preset). `mock` answers in-process and has none.
 */
const DEFAULT_BASE_URLS: Partial<Record<ProviderType, (p: { location?: string; region?: string }) => string | undefined>> = {
  openai: () => 'https://api.openai.com/v1',
  anthropic: () => 'https://api.anthropic.com',
  gemini: () => 'https://generativelanguage.googleapis.com',
  vertex: ({ location }) => (location ? `https://${location}-aiplatform.googleapis.com` : undefined),
  bedrock: ({ region }) => (region ? `https://bedrock-runtime.${region}.amazonaws.com` : undefined),
  mock: () => '',
};

/** `apiVersion` when the config names none: Anthropic's header, Azure's dated GA data-plane version. */
const DEFAULT_API_VERSIONS: Partial<Record<ProviderType, string>> = {
  anthropic: '2023-06-01',
  azure: '2024-10-21',
};

type CredentialField = 'apiKey' | 'adToken' | 'adTokenFile' | 'credentialsFile' | 'accessKeyId' | 'secretAccessKey' | 'bearerToken';

/** The cloud types' credentials: one of these sets of fields, each field given (DESIGN's provider table). */
const CREDENTIALS: Partial<Record<ProviderType, ReadonlyArray<readonly CredentialField[]>>> = {
  azure: [['apiKey'], ['adToken'], ['adTokenFile']],
  gemini: [['apiKey']],
  vertex: [['credentialsFile']],
  bedrock: [['accessKeyId', 'secretAccessKey'], ['bearerToken']],
};

export const ProviderSchema = z
  .object({
    type: ProviderType,
    /** `false` turns the provider off (the built-in `mock` too): it is not created, routed or listed. */
    enabled: z.boolean().default(true),
    /** `openai-compatible`: a named service whose base URL and key variable are known (presets.ts). */
    preset: z.enum(PRESET_NAMES).optional(),
    /** Required unless the type or the preset gives one (see DEFAULT_BASE_URLS). */
    baseUrl: url.optional(),
    apiKey: z.string().min(1).optional(),
    /** Anthropic's `anthropic-version` header (default 2023-06-01); Azure's `api-version` (default 2024-10-21). */
    apiVersion: z.string().min(1).optional(),
    /** Extra headers sent with every upstream request. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Models this provider serves, listed by `GET /v1/models`. */
    models: z.array(z.string().min(1)).default([]),
    /** Keep-alive connections per provider origin. */
    connections: positiveInt.default(128),
    /**
     * `azure`: deployment per model name (`gpt-4o-mini: my-deployment`); a model not listed is
     * its own deployment name (`azure/<deployment>`).
     */
    deployments: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** `azure`: `deployments` (`/openai/deployments/{d}/...?api-version=`) or the `v1` API (`/openai/v1/...`). */
    apiMode: z.enum(['deployments', 'v1']).default('deployments'),
    /** `azure`: an Entra ID bearer token instead of the key, given as it is or read from a file (re-read when it changes). */
    adToken: z.string().min(1).optional(),
    adTokenFile: z.string().min(1).optional(),
    /** `vertex`: the Google Cloud project and location (region) of the models. */
    project: z.string().min(1).optional(),
    location: z.string().min(1).optional(),
    /** `vertex`: the service-account key file (`GOOGLE_APPLICATION_CREDENTIALS`). */
    credentialsFile: z.string().min(1).optional(),
    /** `bedrock`: the AWS region, and SigV4 credentials (or `bearerToken`, a Bedrock API key). */
    region: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    bearerToken: z.string().min(1).optional(),
    timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.preset !== undefined && p.type !== 'openai-compatible') issue('preset', 'presets are for type openai-compatible');
    const preset = p.preset !== undefined ? presetOf(p.preset) : undefined;
    if (preset?.keyEnv && p.apiKey === undefined) issue('apiKey', `preset ${p.preset} needs a key: set ${preset.keyEnv} or apiKey`);
    if (p.baseUrl === undefined && preset === undefined && DEFAULT_BASE_URLS[p.type]?.(p) === undefined) {
      const needs = p.type === 'vertex' ? ' (or location)' : p.type === 'bedrock' ? ' (or region)' : p.type === 'openai-compatible' ? ' (or preset)' : '';
      issue('baseUrl', `required for type ${p.type}${needs}`);
    }
    const credentials = CREDENTIALS[p.type];
    if (credentials && !credentials.some((set) => set.every((field) => p[field] !== undefined))) {
      issue(credentials[0]![0]!, `${p.type} needs ${credentials.map((set) => set.join(' + ')).join(' or ')}`);
    }
  })
  .transform((p) => ({
    ...p,
    baseUrl: p.baseUrl ?? (p.preset !== undefined ? presetOf(p.preset).baseUrl : DEFAULT_BASE_URLS[p.type]?.(p) ?? ''),
    apiVersion: p.apiVersion ?? DEFAULT_API_VERSIONS[p.type] ?? DEFAULT_API_VERSIONS.anthropic!,
  }));
export type ProviderConfig = z.output<typeof ProviderSchema>;

export const TargetSchema = z
  .object({
    provider: z.string().min(1),
    /** Model name sent upstream; defaults to the requested model. */
    model: z.string().min(1).optional(),
    weight: z.number().positive().default(1),
  })
  .strict();
export type TargetConfig = z.infer<typeof TargetSchema>;

export const RouteCacheSchema = z
  .object({ enabled: z.boolean().optional(), ttlSeconds: positiveInt.optional() })
  .strict();

export const RouteSchema = z
  .object({
    /** The model name callers send; `*` matches any run of characters (`gpt-4o*`). */
    match: z.string().min(1),
    /** How to choose among `targets`; fallbacks are always tried in order. */
    strategy: z.enum(['ordered', 'weighted', 'least-latency']).default('ordered'),
    targets: z.array(TargetSchema).min(1),
    fallbacks: z.array(TargetSchema).default([]),
    cache: RouteCacheSchema.default({}),
  })
  .strict();
export type RouteConfig = z.infer<typeof RouteSchema>;

export const ApiKeySchema = z
  .object({
    /** Stable id of the key: the tenant for cache and limits, shown in logs instead of the key. */
    id: z.string().min(1),
    /** The key itself, or `sha256:<64 hex>` of it. */
    key: z
      .string()
      .min(1)
      .refine((k) => !k.startsWith('sha256:') || /^sha256:[0-9a-fA-F]{64}$/.test(k), {
        message: 'expected the key itself or sha256:<64 hex digits>',
      }),
    /**
     * A file holding the key (or its `sha256:` digest): a Kubernetes Secret mounted as a file, so
     * the config itself holds no secret. Read at start and on every reload; `key` is then set from it.
     */
    keyFile: z.string().min(1).optional(),
    limits: z
      .object({ requestsPerMinute: positiveInt.optional(), tokensPerMinute: positiveInt.optional() })
      .strict()
      .default({}),
    /** The team whose budget the key shares (an id of `auth.teams`). */
    team: z.string().min(1).optional(),
    /** Models the key may use (exact names or `*` globs); others are 403. None: every model. */
    models: z.array(ModelPatternSchema).optional(),
    budget: BudgetSchema.optional(),
  })
  .strict();
export type ApiKeyConfig = z.infer<typeof ApiKeySchema>;

export const CacheSchema = z
  .object({
    enabled: z.boolean().default(true),
    ttlSeconds: positiveInt.default(3600),
    /** Endpoints whose answers are cached. */
    endpoints: z.array(z.enum(['chat', 'embeddings', 'messages', 'responses'])).default(['chat', 'embeddings', 'messages', 'responses']),
    l1: z
      .object({ maxEntries: positiveInt.default(10_000), maxBytes: positiveInt.default(64 * 1024 * 1024) })
      .strict()
      .default({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 }),
    l2: z
      .object({
        /** `redis://host:port/db` for a standalone Redis. */
        url: z.string().min(1).optional(),
        /** `host:port` seeds of a Redis Cluster. */
        clusterNodes: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).optional(),
        /** Redis `requirepass`/ACL password (`REDIS_PASSWORD`), for every node. */
        password: z.string().min(1).optional(),
        keyPrefix: z.string().default('llm-edge:cache:'),
        /** Bound on every cache command; a slow Redis must not slow requests. */
        commandTimeoutMs: positiveInt.default(50),
        /** Entries larger than this stay in L1 only. */
        maxEntryBytes: positiveInt.default(1024 * 1024),
        /** Bound on one TCP connect (and handshake) to a Redis node; reconnects continue forever. */
        connectTimeoutMs: positiveInt.default(1_000),
      })
      .strict()
      .default({ keyPrefix: 'llm-edge:cache:', commandTimeoutMs: 50, maxEntryBytes: 1024 * 1024, connectTimeoutMs: 1_000 }),
  })
  .strict();
export type CacheConfig = z.infer<typeof CacheSchema>;

export const PriceSchema = z
  .object({
    /** USD per million input tokens. */
    input: z.number().nonnegative(),
    /** USD per million output tokens. */
    output: z.number().nonnegative(),
    /** USD per million cached input tokens, where the provider discounts them. */
    cachedInput: z.number().nonnegative().optional(),
  })
  .strict();
export type Price = z.infer<typeof PriceSchema>;

export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8080),
        metricsPort: port.default(9090),
        /** Largest accepted request body; larger ones get 413 before they are read whole. */
        bodyLimitBytes: positiveInt.default(10 * 1024 * 1024),
        /**
         * After SIGTERM, how long the gateway keeps its listener open (serving, with `/ready` at
         * 503) so load balancers see it is draining before connections are refused. Give it your
         * balancer's health-check interval times its unhealthy threshold.
         */
        drainDelayMs: nonNegativeInt.default(5_000),
        /** After the drain delay, how long SIGTERM waits for in-flight requests before exiting. */
        shutdownTimeoutMs: positiveInt.default(25_000),
        /** A caller's request headers must arrive within this (slowloris). */
        headersTimeoutMs: positiveInt.default(15_000),
        /** The whole request, body included, must arrive within this (Node answers 408). */
        requestTimeoutMs: positiveInt.default(60_000),
        /** Bearer key of the read-only admin API on the metrics listener (`LLM_EDGE_ADMIN_KEY`); none: no admin API. */
        adminKey: z.string().min(16, 'expected at least 16 characters').optional(),
      })
      .strict()
      .default(SERVER_DEFAULTS),
    providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lower-case name'), ProviderSchema).default({}),
    routes: z.array(RouteSchema).default([]),
    auth: z
      .object({ keys: z.array(ApiKeySchema).default([]), teams: z.array(TeamSchema).default([]) })
      .strict()
      .default({ keys: [], teams: [] })
      .superRefine(checkTeams),
    governance: GovernanceSchema.default(GovernanceSchema.parse({})),
    cache: CacheSchema.default(CacheSchema.parse({})),
    resilience: ResilienceSchema.default(ResilienceSchema.parse({})),
    pricing: z.record(z.string(), PriceSchema).default({}),
    telemetry: z
      .object({
        logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** Log prompts and completions: for debugging only, never in production. */
        logBodies: z.boolean().default(false),
        serviceName: z.string().min(1).default(TRACING_DEFAULTS.serviceName),
        /** OTLP/HTTP base URL; no endpoint, no export. */
        otlpEndpoint: url.optional(),
        samplerRatio: z.number().min(0).max(1).default(TRACING_DEFAULTS.samplerRatio),
      })
      .strict()
      .default({ logLevel: 'info', logBodies: false, ...TRACING_DEFAULTS }),
  })
  .strict();

export type GatewayConfig = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Key ids and team ids are unique, and every key's team exists. */
function checkTeams(auth: { keys: ReadonlyArray<{ id: string; team?: string | undefined }>; teams: ReadonlyArray<{ id: string }> }, ctx: z.RefinementCtx): void {
  const teams = new Set<string>();
  auth.teams.forEach((t, i) => {
    if (teams.has(t.id)) ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `duplicate team id '${t.id}'` });
    teams.add(t.id);
  });
  const keys = new Set<string>();
  auth.keys.forEach((k, i) => {
    if (keys.has(k.id)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `duplicate key id '${k.id}'` });
    keys.add(k.id);
    if (k.team !== undefined && !teams.has(k.team)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'team'], message: `no team '${k.team}' in auth.teams` });
  });
}
