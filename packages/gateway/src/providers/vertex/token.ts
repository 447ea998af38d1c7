/**
 * OAuth2 access tokens for Vertex AI from a service-account key (the JSON file
 * GOOGLE_APPLICATION_CREDENTIALS names): the JWT bearer grant of RFC 7523 as Google documents it
 * for server-to-server calls. An RS256-signed assertion (iss = the key's client_email, scope
 * cloud-platform, aud = the key's token_uri, iat/exp an hour apart) is POSTed to token_uri, which
 * answers an access token and its `expires_in`.
 *
 * The token is cached and refreshed ahead of expiry: after three quarters of its life (or five
 * minutes before expiry, whichever is later) requests still use it while one refresh runs in the
 * background; in its last tenth (at most 30 s) it is never used, requests wait for the new one.
 * One refresh is in flight at a time, whoever asked. Expiry counts from when the token request
 * was sent, so network time only makes the estimate earlier. The key file is read at each
 * refresh, so a rotated key is picked up. Neither the key nor a token is ever put in an error.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { request } from 'undici';
import { GatewayError } from '../../http/errors.js';
import { fromNetworkError, UpstreamError } from '../upstream-error.js';
import type { Signal } from '../../http/cancel.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_S = 3600;

interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKey: KeyObject;
  readonly privateKeyId: string | undefined;
  readonly tokenUri: string;
}

interface CachedToken {
  readonly value: string;
  /** From here on a refresh starts in the background. */
  readonly staleAt: number;
  /** From here on the token is not used. */
  readonly usableUntil: number;
}

export interface TokenSourceOptions {
  /** Bound on one token request (connect to last byte). */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

export class ServiceAccountTokenSource {
  private cached: CachedToken | undefined;
  private refreshing: Promise<CachedToken> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly provider: string,
    private readonly credentialsFile: string,
    private readonly options: TokenSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A valid access token: the cached one, or a fresh one when it is (nearly) expired. */
  async token(signal?: Signal): Promise<string> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now < cached.usableUntil) {
      if (now >= cached.staleAt) this.refresh().catch(() => undefined); // the next caller retries
      return cached.value;
    }
    const fresh = await abortable(this.provider, this.refresh(), signal);
    return fresh.value;
  }

  /** Forgets a token the provider refused (revoked, or the clock was off), unless already replaced. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private refresh(): Promise<CachedToken> {
    this.refreshing ??= this.fetchToken().then(
      (token) => {
        this.cached = token;
        this.refreshing = undefined;
        return token;
      },
      (err: unknown) => {
        this.refreshing = undefined;
        throw err;
      },
    );
    return this.refreshing;
  }

  private async fetchToken(): Promise<CachedToken> {
    const key = await this.readKey();
    const sentAt = this.now();
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: this.assertion(key, Math.floor(sentAt / 1000)) }).toString();
    let status: number;
    let text: string;
    try {
      const res = await request(key.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const e = fromNetworkError(this.provider, err);
      throw new UpstreamError(this.provider, e.reason, `token endpoint: ${e.message}`);
    }
    const answer = parseJson(text);
    if (status < 200 || status >= 300) throw this.tokenFailure(status, answer);
    const value = answer?.access_token;
    const expiresIn = answer?.expires_in;
    if (typeof value !== 'string' || value === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new UpstreamError(this.provider, ProviderErrorReason.server, `token endpoint answered HTTP ${status} without an access token and its expires_in`);
    }
    const lifetime = expiresIn * 1000;
    const expiresAt = sentAt + lifetime;
    return {
      value,
      staleAt: expiresAt - Math.min(300_000, lifetime / 4),
      usableUntil: expiresAt - Math.min(30_000, lifetime / 10),
    };
  }

  private assertion(key: ServiceAccountKey, iat: number): string {
    const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
    if (key.privateKeyId) header.kid = key.privateKeyId;
    const claims = { iss: key.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: key.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  private async readKey(): Promise<ServiceAccountKey> {
    const refuse = (why: string) => {
      const message = `Provider ${this.provider}: the service-account key file ${why}.`;
      return new UpstreamError(this.provider, ProviderErrorReason.client, message, undefined, undefined,
        new GatewayError(502, 'upstream_error', `Provider ${this.provider} has no usable credentials.`, null, 'upstream_auth'));
    };
    let text: string;
    try {
      text = await readFile(this.credentialsFile, 'utf8');
    } catch (err) {
      throw refuse(`${this.credentialsFile} cannot be read (${(err as { code?: string }).code ?? 'error'})`);
    }
    const json = parseJson(text);
    if (!json) throw refuse(`${this.credentialsFile} is not JSON`);
    if (json.type !== undefined && json.type !== 'service_account') throw refuse(`${this.credentialsFile} is of type '${String(json.type)}', not service_account`);
    const { client_email: clientEmail, private_key: pem, private_key_id: keyId, token_uri: tokenUri } = json;
    if (typeof clientEmail !== 'string' || clientEmail === '') throw refuse(`${this.credentialsFile} has no client_email`);
    if (typeof pem !== 'string' || pem === '') throw refuse(`${this.credentialsFile} has no private_key`);
    if (tokenUri !== undefined && (typeof tokenUri !== 'string' || !/^https?:\/\//.test(tokenUri))) throw refuse(`${this.credentialsFile} has a token_uri that is not an http(s) URL`);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch {
      throw refuse(`${this.credentialsFile} has a private_key that is not a PEM private key`);
    }
    return { clientEmail, privateKey, privateKeyId: typeof keyId === 'string' && keyId !== '' ? keyId : undefined, tokenUri: (tokenUri as string | undefined) ?? DEFAULT_TOKEN_URI };
  }

  /** The token endpoint refused: a bad key or grant is the gateway's credentials (502, not retried). */
  private tokenFailure(status: number, answer: Record<string, unknown> | undefined): UpstreamError {
    const code = typeof answer?.error === 'string' ? answer.error : undefined;
    const what = `token endpoint answered HTTP ${status}${code ? ` (${code})` : ''}`;
    if (status === 429) return new UpstreamError(this.provider, ProviderErrorReason.rateLimited, what, status);
    if (status >= 500 || status === 408) return new UpstreamError(this.provider, ProviderErrorReason.server, what, status);
    return new UpstreamError(this.provider, ProviderErrorReason.client, what, status, undefined,
      new GatewayError(502, 'upstream_error', `Provider ${this.provider} could not get an access token with its credentials (${what}).`, null, 'upstream_auth'));
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits for a shared promise, giving up when this caller's signal aborts (the promise goes on). */
function abortable<T>(provider: string, promise: Promise<T>, signal: Signal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(fromNetworkError(provider, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(fromNetworkError(provider, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
