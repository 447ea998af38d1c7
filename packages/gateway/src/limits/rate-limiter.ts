/**
 * Per-key limits: requests and tokens per minute for each API key.
 */
import type { Caller } from '../auth/api-keys.js';

export class RateLimiter {
  /**
   * Admits one request of `estimatedTokens` for the caller.
   * @throws GatewayError 429 with `retry-after` and `x-ratelimit-*` headers when over a limit
   * @returns headers to add to the answer (`x-ratelimit-*`)
   */
  async admit(caller: Caller, estimatedTokens: number): Promise<Record<string, string>> {
    void caller;
    void estimatedTokens;
    return {};
  }

  /** Corrects the token count once the real usage is known. */
  reconcile(caller: Caller, estimatedTokens: number, actualTokens: number): void {
    void caller;
    void estimatedTokens;
    void actualTokens;
  }

  async close(): Promise<void> {}
}
