// The service-account token source against the fake Google token endpoint, on a clock the test
// moves: refresh ahead of expiry in the background, wait near expiry, one refresh in flight,
// invalidation, and failures that name no secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateServiceAccount, startFakeGoogleOAuth, type FakeGoogleOAuth, type ServiceAccount } from '../../../test/fakes/index.js';
import { UpstreamError } from '../upstream-error.js';
import { ServiceAccountTokenSource } from './token.js';

let dir: string;
let sa: ServiceAccount;
let oauth: FakeGoogleOAuth;
let keyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'token-source-'));
  sa = generateServiceAccount('proj-t');
  oauth = await startFakeGoogleOAuth({ clientEmail: sa.clientEmail, publicKey: sa.publicKey, expiresInSeconds: 20 });
  keyFile = sa.writeKeyFile(join(dir, 'key.json'), oauth.tokenUrl);
});
afterEach(() => oauth.reset());
afterAll(async () => {
  await oauth.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A token source on a clock that starts now and moves only when the test says. */
function source(file = keyFile) {
  const start = Date.now();
  let offset = 0;
  const tokens = new ServiceAccountTokenSource('vertex', file, { timeoutMs: 5_000, now: () => start + offset });
  return { tokens, at: (seconds: number) => void (offset = seconds * 1000) };
}

const issued = () => oauth.issued.length;
const settle = () => new Promise((r) => setTimeout(r, 50));

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('ServiceAccountTokenSource', () => {
  it('caches, refreshes in the background in the last quarter, and waits for a new token near expiry', async () => {
    const { tokens, at } = source();
    const before = issued();
    const a = await tokens.token();
    expect(issued()).toBe(before + 1);
    at(14); // 20 s token: stale from 15 s, unusable from 18 s
    expect(await tokens.token()).toBe(a);
    await settle();
    expect(issued()).toBe(before + 1);

    at(16);
    expect(await tokens.token()).toBe(a); // still valid: answered at once, refreshed behind
    await settle();
    expect(issued()).toBe(before + 2);
    const b = await tokens.token();
    expect(b).not.toBe(a);

    at(16 + 18.5); // b is within its last tenth: never used
    const c = await tokens.token();
    expect(c).not.toBe(b);
    expect(issued()).toBe(before + 3);
  });

  it('makes one token request for concurrent callers, and a fresh one after invalidate', async () => {
    const { tokens } = source();
    const before = issued();
    oauth.setLatency(100);
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(all).size).toBe(1);
    expect(issued()).toBe(before + 1);
    tokens.invalidate('not the cached one');
    expect(await tokens.token()).toBe(all[0]);
    tokens.invalidate(all[0]!);
    expect(await tokens.token()).not.toBe(all[0]);
    expect(issued()).toBe(before + 2);
  });

  it('lets a caller give up on its signal while the refresh goes on for the others', async () => {
    const { tokens } = source();
    oauth.setLatency(200);
    const controller = new AbortController();
    const gaveUp = tokens.token(controller.signal);
    const waited = tokens.token();
    controller.abort(new DOMException('caller left', 'AbortError'));
    expect((await failure(gaveUp)).provider).toBe('vertex');
    expect(await waited).toMatch(/^ya29\.fake-/);
  });

  it('classifies token endpoint failures: 5xx retryable, a refused grant the gateway credentials (502)', async () => {
    const { tokens } = source();
    oauth.script({ kind: 'status', status: 503 });
    const down = await failure(tokens.token());
    expect(down.retryable).toBe(true);
    expect(down.reason).toBe(ProviderErrorReason.server);

    const stranger = generateServiceAccount('proj-t', 'stranger');
    const file = join(dir, 'stranger.json');
    writeFileSync(file, JSON.stringify({ ...stranger.keyJson(oauth.tokenUrl), client_email: sa.clientEmail }));
    const refused = await failure(source(file).tokens.token());
    expect(refused.retryable).toBe(false);
    expect(refused.toGatewayError()).toMatchObject({ status: 502, code: 'upstream_auth' });
    expect(refused.message).toContain('invalid_grant');
    // The next call tries again (a failed refresh is not cached).
    expect(await tokens.token()).toMatch(/^ya29\./);
  });

  it('refuses an unreadable or malformed key file without quoting it', async () => {
    const missing = await failure(source(join(dir, 'nope.json')).tokens.token());
    expect(missing.toGatewayError()).toMatchObject({ status: 502, code: 'upstream_auth' });
    const file = join(dir, 'bad.json');
    const pem = '-----BEGIN PRIVATE KEY-----\nTk9UQUtFWQ==SECRETSECRETSECRET\n-----END PRIVATE KEY-----\n';
    writeFileSync(file, JSON.stringify({ ...sa.keyJson(oauth.tokenUrl), private_key: pem }));
    const bad = await failure(source(file).tokens.token());
    expect(bad.message).toContain('not a PEM private key');
    expect(bad.message).not.toContain('SECRET');
    writeFileSync(file, JSON.stringify({ type: 'authorized_user', refresh_token: 'x' }));
    expect((await failure(source(file).tokens.token())).message).toContain("type 'authorized_user'");
  });
});
