/**
 * The response cache: keys, entries, the two tiers, and request coalescing.
 */
export { cacheKey, canonicalJson, KEY_FIELDS, KEY_VERSION, type CacheEndpoint } from './key.js';
export { decodeEntry, encodeEntry, entryBytes, type CachedAnswer } from './entry.js';
export { completionToEvents, streamToCompletion } from './convert.js';
export { MemoryCache, type MemoryCacheOptions } from './l1.js';
export { CacheTimeoutError, RedisCache, type RedisCacheOptions, type RedisLookup } from './l2.js';
export { ResponseCache, type CacheReadiness, type LookupHooks, type ResponseCacheOptions, type Tier } from './response-cache.js';
export { Flight, Flights } from './flights.js';
