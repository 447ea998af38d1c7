/**
 * Caller authentication: API keys from `LLM_EDGE_API_KEYS` or the config file, stored only as
 * SHA-256 digests and compared in constant time, each mapped to a key id (the tenant used by the
 * cache and the limits).
 */
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../http/sha256.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyConfig } from '../config/schema.js';
import { ModelAllowList } from '../governance/allow-list.js';

const SHA256_PREFIX = 'sha256:';

export interface Caller {
  /** The key id: safe to log, used as the tenant. */
  readonly keyId: string;
  readonly limits: ApiKeyConfig['limits'];
  /** The team whose budget the key shares. */
  readonly team?: string | undefined;
  readonly budget?: ApiKeyConfig['budget'];
  /** The models the key may use; undefined: every model. */
  readonly models?: ModelAllowList | undefined;
  /** The allow-list as configured (the admin API shows it). */
  readonly modelPatterns?: readonly string[] | undefined;
}

/** The caller when no keys are configured: one shared tenant. */
export const ANONYMOUS: Caller = { keyId: 'anonymous', limits: {} };

/** A stable, non-reversible id for a key given without one (env keys). */
export function hashedKeyId(key: string): string {
  const digest = key.startsWith(SHA256_PREFIX) ? key.slice(SHA256_PREFIX.length).toLowerCase() : sha256(key).toString('hex');
  return `key-${digest.slice(0, 12)}`;
}

/** Pulls the presented key from `Authorization: Bearer` or, for Anthropic-style clients, `x-api-key`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth);
    return match ? match[1]!.trim() : undefined;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}

export class ApiKeyRegistry {
  /** Digest (hex) -> caller: one hash and one map lookup per request. */
  private readonly byDigest = new Map<string, { digest: Buffer; caller: Caller }>();
  /** Every configured caller, in config order (the admin API lists them). */
  readonly callers: Caller[] = [];

  constructor(keys: readonly ApiKeyConfig[]) {
    for (const k of keys) {
      const digest = k.key.startsWith(SHA256_PREFIX) ? parseDigest(k) : sha256(k.key);
      const caller: Caller = { keyId: k.id, limits: k.limits, team: k.team, budget: k.budget, models: k.models ? new ModelAllowList(k.models) : undefined, modelPatterns: k.models };
      this.byDigest.set(digest.toString('hex'), { digest, caller });
      this.callers.push(caller);
    }
  }

  /** True when no key is configured: the gateway is open. */
  get open(): boolean {
    return this.byDigest.size === 0;
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** The caller for a presented key, or undefined when the key is missing or unknown. */
  authenticate(key: string | undefined): Caller | undefined {
    if (this.open) return ANONYMOUS;
    if (!key) return undefined;
    const digest = sha256(key);
    const entry = this.byDigest.get(digest.toString('hex'));
    // The map lookup finds the candidate; the constant-time compare confirms it, so equality
    // is never decided by an early-exit string comparison.
    return entry && timingSafeEqual(entry.digest, digest) ? entry.caller : undefined;
  }
}

function parseDigest(k: ApiKeyConfig): Buffer {
  const hex = k.key.slice(SHA256_PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`auth.keys[${k.id}].key: expected sha256:<64 hex digits>`);
  }
  return Buffer.from(hex, 'hex');
}
