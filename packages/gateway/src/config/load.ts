/**
 * Loads the configuration: the optional YAML file named by `LLM_EDGE_CONFIG`, then the
 * environment variables of DESIGN.md over it, then validation. A bad value stops the start with
 * a message naming the field, where it came from, and the expected form.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type GatewayConfig, type ProviderType } from './schema.js';
import { hashedKeyId } from '../auth/api-keys.js';
import { presetOf, PRESET_NAMES, type PresetName } from '../providers/openai-compatible/presets.js';
import { hasAdapter } from '../providers/registry.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;
type Doc = Record<string, unknown>;

/** Which environment variable sets which field: used both to apply them and to name them in errors. */
const ENV_FIELDS: ReadonlyArray<{ env: string; path: readonly string[]; number?: boolean; list?: boolean; credential?: boolean }> = [
  { env: 'HOST', path: ['server', 'host'] },
  { env: 'PORT', path: ['server', 'port'], number: true },
  { env: 'METRICS_PORT', path: ['server', 'metricsPort'], number: true },
  { env: 'OPENAI_BASE_URL', path: ['providers', 'openai', 'baseUrl'] },
  { env: 'OPENAI_API_KEY', path: ['providers', 'openai', 'apiKey'] },
  { env: 'ANTHROPIC_BASE_URL', path: ['providers', 'anthropic', 'baseUrl'] },
  { env: 'ANTHROPIC_API_KEY', path: ['providers', 'anthropic', 'apiKey'] },
  // The cloud providers (ENV_PROVIDERS): applied only to a provider that exists, i.e. the file
  // names it or one of its credentials is set here.
  { env: 'AZURE_OPENAI_API_KEY', path: ['providers', 'azure', 'apiKey'], credential: true },
  { env: 'AZURE_OPENAI_AD_TOKEN', path: ['providers', 'azure', 'adToken'], credential: true },
  { env: 'AZURE_OPENAI_AD_TOKEN_FILE', path: ['providers', 'azure', 'adTokenFile'], credential: true },
  { env: 'AZURE_OPENAI_ENDPOINT', path: ['providers', 'azure', 'baseUrl'] },
  { env: 'AZURE_OPENAI_API_VERSION', path: ['providers', 'azure', 'apiVersion'] },
  { env: 'GEMINI_API_KEY', path: ['providers', 'gemini', 'apiKey'], credential: true },
  { env: 'GEMINI_BASE_URL', path: ['providers', 'gemini', 'baseUrl'] },
  { env: 'GOOGLE_APPLICATION_CREDENTIALS', path: ['providers', 'vertex', 'credentialsFile'], credential: true },
  { env: 'VERTEX_PROJECT', path: ['providers', 'vertex', 'project'] },
  { env: 'VERTEX_LOCATION', path: ['providers', 'vertex', 'location'] },
  { env: 'VERTEX_BASE_URL', path: ['providers', 'vertex', 'baseUrl'] },
  { env: 'AWS_ACCESS_KEY_ID', path: ['providers', 'bedrock', 'accessKeyId'], credential: true },
  { env: 'AWS_SECRET_ACCESS_KEY', path: ['providers', 'bedrock', 'secretAccessKey'] },
  { env: 'AWS_SESSION_TOKEN', path: ['providers', 'bedrock', 'sessionToken'] },
  { env: 'AWS_BEARER_TOKEN_BEDROCK', path: ['providers', 'bedrock', 'bearerToken'], credential: true },
  { env: 'AWS_REGION', path: ['providers', 'bedrock', 'region'] },
  { env: 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', path: ['providers', 'bedrock', 'baseUrl'] },
  { env: 'REDIS_URL', path: ['cache', 'l2', 'url'] },
  { env: 'REDIS_CLUSTER_NODES', path: ['cache', 'l2', 'clusterNodes'], list: true },
  { env: 'REDIS_PASSWORD', path: ['cache', 'l2', 'password'] },
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: ['telemetry', 'otlpEndpoint'] },
  { env: 'OTEL_SERVICE_NAME', path: ['telemetry', 'serviceName'] },
  { env: 'OTEL_TRACES_SAMPLER_ARG', path: ['telemetry', 'samplerRatio'], number: true },
  { env: 'LOG_LEVEL', path: ['telemetry', 'logLevel'] },
  { env: 'LLM_EDGE_ADMIN_KEY', path: ['server', 'adminKey'] },
];

/**
 * The providers every gateway has: `gpt-*` and `claude-*` work with keys alone, and the built-in
 * `mock` answers with none (a config turns it off with `mock: { enabled: false }`).
 */
const DEFAULT_PROVIDERS = {
  openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1' },
  anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com' },
  mock: { type: 'mock' },
} as const;

/**
 * Providers the environment creates, by name, when one of their credentials (ENV_FIELDS'
 * `credential`) is set: without credentials they do not exist. A type this build has no adapter
 * for is not created from the environment (the file may still name it, and then fails loudly).
 */
const ENV_PROVIDERS: Readonly<Record<string, ProviderType>> = { azure: 'azure', gemini: 'gemini', vertex: 'vertex', bedrock: 'bedrock' };

/**
 * Builds and validates the configuration from the environment (and the file it names).
 * @throws ConfigError with one line per bad field.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Env = process.env, fileText?: string): GatewayConfig {
  const file = env.LLM_EDGE_CONFIG;
  const doc = fileText !== undefined ? parseDocument(fileText, 'config') : file ? readDocument(file) : {};
  const merged = withKeyFiles(withPresetKeys(applyEnv(withDefaultProviders(doc), env), env));
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, merged, file));
  return result.data;
}

/** Keys given as files (`auth.keys[].keyFile`, e.g. a mounted Secret) read into `key`. */
function withKeyFiles(doc: Doc): Doc {
  const auth = doc.auth;
  if (!isRecord(auth) || !Array.isArray(auth.keys)) return doc;
  const keys = auth.keys.map((k: unknown, i: number) => {
    if (!isRecord(k) || typeof k.keyFile !== 'string') return k;
    if (k.key !== undefined) throw new ConfigError(`auth.keys.${i}: give either key or keyFile, not both`);
    let text: string;
    try {
      text = readFileSync(k.keyFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`auth.keys.${i}.keyFile: cannot read ${k.keyFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (text === '') throw new ConfigError(`auth.keys.${i}.keyFile: ${k.keyFile} is empty`);
    return { ...k, key: text };
  });
  return { ...doc, auth: { ...auth, keys } };
}

function readDocument(path: string): Doc {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`LLM_EDGE_CONFIG: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseDocument(text, path);
}

function parseDocument(text: string, source: string): Doc {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${source}: expected a mapping of settings at the top level`);
  }
  return value as Doc;
}

function withDefaultProviders(doc: Doc): Doc {
  const providers = (isRecord(doc.providers) ? doc.providers : {}) as Doc;
  const merged: Doc = {};
  for (const [name, base] of Object.entries(DEFAULT_PROVIDERS)) {
    merged[name] = isRecord(providers[name]) ? { ...base, ...providers[name] } : { ...base };
  }
  return { ...doc, providers: { ...providers, ...merged } };
}

function applyEnv(doc: Doc, env: Env): Doc {
  const out = structuredClone(doc);
  const present = presentProviders(out, env);
  for (const field of ENV_FIELDS) {
    const raw = env[field.env];
    if (raw === undefined || raw === '') continue;
    const provider = field.path[0] === 'providers' ? field.path[1]! : undefined;
    if (provider !== undefined && provider in ENV_PROVIDERS && !present.has(provider)) continue;
    let value: unknown = raw.trim();
    if (field.number && /^-?\d+(\.\d+)?$/.test(raw.trim())) value = Number(raw);
    if (field.list) value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    setPath(out, field.path, value);
  }
  const envKeys = env.LLM_EDGE_API_KEYS;
  if (envKeys) {
    const auth = (isRecord(out.auth) ? out.auth : (out.auth = {})) as Doc;
    const keys = Array.isArray(auth.keys) ? auth.keys : [];
    for (const key of envKeys.split(',').map((s) => s.trim()).filter(Boolean)) {
      keys.push({ id: hashedKeyId(key), key });
    }
    auth.keys = keys;
  }
  return out;
}

/**
 * Where a provider created from ambient credentials runs when the environment does not say: a
 * developer whose shell carries AWS or Google credentials for other work still gets a gateway
 * that starts (the region and location variables, when set, win).
 */
function envDefaults(name: string, env: Env): Doc {
  if (name === 'bedrock') return { region: env.AWS_DEFAULT_REGION?.trim() || 'us-east-1' };
  if (name === 'vertex') return { location: 'us-central1' };
  return {};
}

/** The cloud providers that exist: named in the file, or given a credential in the environment. */
function presentProviders(doc: Doc, env: Env): Set<string> {
  const providers = (isRecord(doc.providers) ? doc.providers : {}) as Doc;
  const present = new Set<string>();
  for (const [name, type] of Object.entries(ENV_PROVIDERS)) {
    if (isRecord(providers[name])) {
      present.add(name);
      continue;
    }
    const credentialed = ENV_FIELDS.some((f) => f.credential && f.path[1] === name && env[f.env]);
    if (credentialed && hasAdapter(type)) {
      present.add(name);
      providers[name] = { type, ...envDefaults(name, env) };
    }
  }
  return present;
}

/** A preset's key from its variable (`GROQ_API_KEY`) when the file gives none; the schema names a missing one. */
function withPresetKeys(doc: Doc, env: Env): Doc {
  if (!isRecord(doc.providers)) return doc;
  for (const provider of Object.values(doc.providers)) {
    if (!isRecord(provider) || provider.apiKey !== undefined || !isPresetName(provider.preset)) continue;
    const keyEnv = presetOf(provider.preset).keyEnv;
    const key = keyEnv ? env[keyEnv]?.trim() : undefined;
    if (key) provider.apiKey = key;
  }
  return doc;
}

function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

function setPath(doc: Doc, path: readonly string[], value: unknown): void {
  let node = doc;
  for (const part of path.slice(0, -1)) {
    if (!isRecord(node[part])) node[part] = {};
    node = node[part] as Doc;
  }
  node[path[path.length - 1]!] = value;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], input: Doc, file: string | undefined): string {
  const lines = issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    const fromEnv = ENV_FIELDS.find((f) => f.path.join('.') === path);
    const source = fromEnv ? ` (from env ${fromEnv.env})` : file ? ` (in ${file})` : '';
    const got = valueAt(input, issue.path);
    const shown = got === undefined || issue.code === 'unrecognized_keys' ? '' : `, got ${describe(got, path)}`;
    return `  - ${path}${source}: ${issue.message}${shown}`;
  });
  return `Invalid configuration:\n${lines.join('\n')}`;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let node = doc;
  for (const part of path) {
    if (!isRecord(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Shows the bad value, except where it could be a secret. */
function describe(value: unknown, path: string): string {
  if (/key|secret|password|token/i.test(path)) return '(hidden)';
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : String(text);
}

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
