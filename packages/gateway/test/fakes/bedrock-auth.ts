// How the fake Bedrock authenticates a request, as AWS does: a SigV4 signature is recomputed
// from the received method, path, query, signed headers and body with the known test
// credentials (@smithy/signature-v4, the signer the AWS SDKs use) and compared with the one
// sent; a Bedrock API key is accepted as `Authorization: Bearer`. A refusal is AWS's 403 with
// its error type, so a client sees what the real service would send.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The test credentials the fake knows (a session token makes `x-amz-security-token` required). */
export interface AwsTestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Why AWS refused a request: its status, `x-amzn-errortype` and message. */
export interface AuthRefusal {
  readonly status: 403;
  readonly type: string;
  readonly message: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received on the wire (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses a signature older or newer than this. */
const MAX_SKEW_MS = 5 * 60_000;

const mismatch = (): AuthRefusal => ({
  status: 403,
  type: 'InvalidSignatureException',
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
});
const badToken = (): AuthRefusal => ({ status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });

/**
 * Checks a request's SigV4 signature (or bearer key); null when it is accepted.
 * @param credentials the only credentials that sign correctly
 * @param bearerToken the Bedrock API key accepted as `Authorization: Bearer` (none: bearer refused)
 * @example
 * const refusal = await verifyRequest({ method, url, headers, body }, creds, 'us-east-1', 'bedrock', token);
 */
export async function verifyRequest(
  req: SignedRequest,
  credentials: AwsTestCredentials,
  region: string,
  service: string,
  bearerToken: string | undefined,
  now = Date.now(),
): Promise<AuthRefusal | null> {
  const authorization = header(req.headers, 'authorization');
  if (authorization === undefined) return { status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  if (authorization.startsWith('Bearer ')) {
    const token = authorization.slice('Bearer '.length);
    return bearerToken !== undefined && same(token, bearerToken)
      ? null
      : { status: 403, type: 'AccessDeniedException', message: 'Authentication failed: Please make sure your API Key is valid.' };
  }
  const parts = AUTH.exec(authorization);
  if (!parts) return { status: 403, type: 'IncompleteSignatureException', message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.` };
  const [, keyId, day, scopeRegion, scopeService, signedList, signature] = parts as unknown as string[];
  if (keyId !== credentials.accessKeyId) return badToken();
  const amzDate = header(req.headers, 'x-amz-date');
  const date = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (date === undefined) return { status: 403, type: 'IncompleteSignatureException', message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
  if (!amzDate!.startsWith(day!)) return { status: 403, type: 'InvalidSignatureException', message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${amzDate!.slice(0, 8)}'.` };
  if (scopeRegion !== region) return { status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region.` };
  if (scopeService !== service) return { status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${service}'.` };
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) return { status: 403, type: 'InvalidSignatureException', message: `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes.` };
  if (header(req.headers, 'x-amz-security-token') !== credentials.sessionToken) return badToken();

  const signed = signedList!.split(';');
  if (!signed.includes('host')) return mismatch();
  // A client that sends the payload hash has the signer trust it: it must be the body's.
  const declaredHash = header(req.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== createHash('sha256').update(req.body).digest('hex')) return mismatch();

  const expected = await expectedSignature(req, signed, date, credentials, region, service);
  return expected !== undefined && same(expected, signature!) ? null : mismatch();
}

/** The signature the request should carry, recomputed over what was received. */
async function expectedSignature(
  req: SignedRequest,
  signed: readonly string[],
  date: Date,
  credentials: AwsTestCredentials,
  region: string,
  service: string,
): Promise<string | undefined> {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1))) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = header(req.headers, name);
    if (value === undefined) return undefined; // a signed header that did not arrive
    headers[name] = value;
  }
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const host = headers.host ?? '';
  const out = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: host, path, query, headers, body: req.body },
    { signingDate: date, signableHeaders: new Set(signed) },
  );
  const auth = String(out.headers.authorization ?? out.headers.Authorization ?? '');
  return /Signature=([0-9a-f]{64})$/.exec(auth)?.[1];
}

function parseAmzDate(v: string): Date | undefined {
  const m = AMZ_DATE.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
