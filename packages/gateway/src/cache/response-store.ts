/**
 * Stored Responses (`store` not false): each response and the canonical conversation it ends,
 * kept per tenant in the cache's two tiers with the cache's TTL, so `previous_response_id` and
 * `GET /v1/responses/{id}` work on any replica sharing the Redis. A tenant never sees another's:
 * the tenant is part of the key.
 */
import type { ChatMessage } from '../api/types.js';
import { sha256Hex } from '../http/sha256.js';
import type { ResponseCache } from './response-cache.js';

export interface StoredResponse {
  /** The Response object as the caller got it. */
  readonly response: Record<string, unknown>;
  /** The whole conversation after it, in canonical form (what a follow-up continues). */
  readonly conversation: readonly ChatMessage[];
  /** The provider that answered, and whether natively (then it holds the response itself too). */
  readonly provider: string;
  readonly native: boolean;
}

export class ResponseStore {
  constructor(
    private readonly cache: ResponseCache,
    private readonly ttlSeconds: number,
  ) {}

  /** Keeps `stored` under its response's id. Never throws, never waits on Redis. */
  save(tenant: string, stored: StoredResponse): void {
    const id = stored.response.id;
    if (typeof id !== 'string') return;
    const body = Buffer.from(JSON.stringify(stored));
    this.cache.store(keyOf(tenant, id), { kind: 'json', body, model: '', provider: stored.provider, createdAt: Date.now() }, this.ttlSeconds);
  }

  /** The tenant's stored response `id`, or undefined (unknown, expired, or another tenant's). */
  async load(tenant: string, id: string): Promise<StoredResponse | undefined> {
    const found = await this.cache.lookup(keyOf(tenant, id));
    if (!found || found.answer.kind !== 'json' || !found.answer.body) return undefined;
    try {
      return JSON.parse(found.answer.body.toString('utf8')) as StoredResponse;
    } catch {
      return undefined;
    }
  }

  /** Deletes the tenant's stored response `id` from both tiers. */
  delete(tenant: string, id: string): Promise<boolean> {
    return this.cache.delete(keyOf(tenant, id));
  }
}

/** A key apart from the answer cache's (`v2:<hex>`): the tenant and id hashed together. */
function keyOf(tenant: string, id: string): string {
  return `response:${sha256Hex(`${tenant}\u0000${id}`)}`;
}
