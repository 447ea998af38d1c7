// A fake Google OAuth 2.0 token endpoint (POST /token) for service-account keys: the JWT bearer
// grant. It verifies the assertion as Google does (RS256 signature against the public key of the
// test's service-account key, iss = the key's client_email, aud = the token URL, the
// cloud-platform scope, iat/exp at most an hour apart and not expired) and issues short-lived
// access tokens (`expiresInSeconds`, settable) that the fake Vertex AI checks on every request.
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { FakeServer } from './fake-server.js';
import type { Exchange, Wire } from './fake-server.js';
import { isObject, pathOf } from './request-checks.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The token URL Google's libraries put in `aud` (and service-account keys in `token_uri`). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
  readonly claims: Record<string, unknown>;
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

export interface FakeGoogleOAuthOptions {
  /** The service account's email (`iss` of the assertion). */
  readonly clientEmail: string;
  /** The service account's public key: assertions must verify against it. */
  readonly publicKey: KeyObject | string;
  /** Lifetime of issued tokens. @default 3600 */
  readonly expiresInSeconds?: number;
  /** `aud` values accepted besides this server's own token URL (e.g. GOOGLE_TOKEN_URL). */
  readonly extraAudiences?: readonly string[];
}

export class FakeGoogleOAuth extends FakeServer {
  constructor(private readonly oauth: OAuthWire) {
    super(oauth);
  }

  /** `url + '/token'`: the `token_uri` to put in the service-account key. */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** Every token issued, in order (not cleared by reset()). */
  get issued(): readonly IssuedToken[] {
    return this.oauth.issued;
  }

  set expiresInSeconds(seconds: number) {
    this.oauth.expiresIn = seconds;
  }

  /** Revokes a token before its expiry (the fake Vertex then refuses it as unknown). */
  revoke(token: string): void {
    this.oauth.revoked.add(token);
  }

  /** Whether a bearer token is one this server issued and still valid. */
  check(token: string): TokenCheck {
    const t = this.oauth.issued.find((i) => i.token === token);
    if (!t || this.oauth.revoked.has(token)) return 'unknown';
    return Date.now() < t.expiresAt ? 'valid' : 'expired';
  }
}

class OAuthWire implements Wire {
  readonly streamErrorStatus = 500;
  readonly requestIdHeader = 'x-request-id';
  readonly issued: IssuedToken[] = [];
  readonly revoked = new Set<string>();
  expiresIn: number;
  private readonly publicKey: KeyObject;
  server: FakeGoogleOAuth | undefined;

  constructor(private readonly opts: FakeGoogleOAuthOptions) {
    this.publicKey = typeof opts.publicKey === 'string' ? createPublicKey(opts.publicKey) : opts.publicKey;
    this.expiresIn = opts.expiresInSeconds ?? 3600;
  }

  errorBody(status: number): unknown {
    return status >= 500 ? { error: 'internal_failure', error_description: 'Internal error.' } : { error: 'invalid_request', error_description: `HTTP ${status}` };
  }

  handle(ex: Exchange): void {
    if (ex.call.method !== 'POST' || pathOf(ex.call.path) !== '/token') {
      ex.json(404, { error: 'not_found', error_description: 'Not Found' });
      return;
    }
    const type = String(ex.req.headers['content-type'] ?? '');
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      ex.json(400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded.' });
      return;
    }
    const form = new URLSearchParams(ex.call.raw);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      ex.json(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + (form.get('grant_type') ?? '') });
      return;
    }
    const refusal = this.verify(form.get('assertion') ?? '');
    if (typeof refusal === 'string') {
      ex.json(400, { error: refusal.startsWith('invalid_scope') ? 'invalid_scope' : 'invalid_grant', error_description: refusal.replace(/^invalid_scope: /, '') });
      return;
    }
    const token = `ya29.fake-${this.issued.length + 1}-${randomBytes(12).toString('base64url')}`;
    this.issued.push({ token, expiresAt: Date.now() + this.expiresIn * 1000, claims: refusal });
    ex.json(200, { access_token: token, expires_in: this.expiresIn, token_type: 'Bearer' });
  }

  /** The assertion's claims when Google would accept it, else the error description. */
  private verify(assertion: string): Record<string, unknown> | string {
    const parts = assertion.split('.');
    if (parts.length !== 3) return 'Invalid JWT: the assertion is not a JWS.';
    const [h, c, s] = parts as [string, string, string];
    const header = decode(h);
    const claims = decode(c);
    if (!header || !claims) return 'Invalid JWT: the header or the claims are not base64url JSON.';
    if (header.alg !== 'RS256') return `Invalid JWT: alg must be RS256, got ${String(header.alg)}.`;
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), this.publicKey, Buffer.from(s, 'base64url'))) return 'Invalid JWT Signature.';
    if (claims.iss !== this.opts.clientEmail) return 'Invalid grant: account not found';
    const audiences = [this.server?.tokenUrl, ...(this.opts.extraAudiences ?? [])];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return 'Invalid JWT: audience must be the token endpoint URL.';
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.includes(CLOUD_PLATFORM_SCOPE)) return 'invalid_scope: Invalid OAuth scope or ID token audience provided.';
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || iat > now + 60 || exp <= now || exp - iat > 3600) {
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
    }
    return claims;
  }
}

function decode(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a fake Google token endpoint on a free loopback port.
 * @example
 * const key = generateServiceAccount();
 * const oauth = await startFakeGoogleOAuth({ clientEmail: key.clientEmail, publicKey: key.publicKey, expiresInSeconds: 2 });
 * const file = key.writeKeyFile(dir, oauth.tokenUrl); // GOOGLE_APPLICATION_CREDENTIALS
 */
export async function startFakeGoogleOAuth(opts: FakeGoogleOAuthOptions): Promise<FakeGoogleOAuth> {
  const wire = new OAuthWire(opts);
  const server = new FakeGoogleOAuth(wire);
  wire.server = server;
  await server.listen();
  return server;
}

export interface ServiceAccount {
  readonly clientEmail: string;
  readonly projectId: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  /** The key file's JSON for a token URL, as Google Cloud issues it. */
  keyJson(tokenUri: string): Record<string, string>;
  /** Writes the key file (mode 0600) and returns its path. */
  writeKeyFile(path: string, tokenUri: string): string;
}

/** A fresh RSA service-account key, as `gcloud iam service-accounts keys create` would give. */
export function generateServiceAccount(projectId = 'fake-project', name = 'gateway'): ServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const clientEmail = `${name}@${projectId}.iam.gserviceaccount.com`;
  const keyJson = (tokenUri: string) => ({
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKeyPem,
    client_email: clientEmail,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  });
  return {
    clientEmail,
    projectId,
    privateKeyPem,
    publicKey,
    keyJson,
    writeKeyFile(path, tokenUri) {
      writeFileSync(path, JSON.stringify(keyJson(tokenUri), null, 2), { mode: 0o600 });
      return path;
    },
  };
}
