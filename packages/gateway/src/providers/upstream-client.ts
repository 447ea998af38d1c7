/**
 * One keep-alive undici `Pool` per provider origin: `Pool.request` costs a fraction of `fetch`
 * (DESIGN.md's Performance table), and the pool bounds connections per provider.
 */
import { Pool, util, type Dispatcher } from 'undici';
import type { ProviderConfig } from '../config/schema.js';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { fromNetworkError, parseRetryAfter, providerClientError, UpstreamError } from './upstream-error.js';
import type { Signal } from '../http/cancel.js';

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Dispatcher.ResponseData['body'];
}

/** An answer read whole before it is handed over (JSON requests). */
export interface WholeResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
}

export class UpstreamClient {
  private readonly pool: Pool;
  /** Path prefix of the base URL (`/v1` for OpenAI), prepended to every request path. */
  private readonly basePath: string;
  /** The provider's host name (`server.address` on attempt spans). */
  readonly host: string;

  constructor(
    readonly provider: string,
    private readonly config: ProviderConfig,
  ) {
    const base = new URL(config.baseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.host = base.hostname;
    // connectMs, firstByteMs (headers) and idleMs (gap between body chunks) are enforced here,
    // per provider pool; undici checks the last two on a coarse timer (up to ~1 s late). The total
    // timeout is per attempt: a Signal from resilience/deadline.ts, exact to the millisecond.
    this.pool = new Pool(base.origin, {
      connections: config.connections,
      connect: { timeout: config.timeouts.connectMs },
      headersTimeout: config.timeouts.firstByteMs,
      bodyTimeout: config.timeouts.idleMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** POSTs JSON; resolves once response headers arrive. Network failures become UpstreamErrors. */
  async post(path: string, body: string | Buffer, headers: Record<string, string>, signal: Signal): Promise<UpstreamResponse> {
    try {
      // undici takes any signal with addEventListener: a Cancellation (http/cancel.ts) as well.
      const res = await this.pool.request({ ...this.options(path, body, headers), signal });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      throw fromNetworkError(this.provider, signal.aborted ? signal.reason ?? err : err);
    }
  }

  /**
   * POSTs JSON and reads a 2xx answer whole, status and headers included; any other answer becomes
   * the UpstreamError `failure` makes, and network failures and a cut or stalled body become
   * UpstreamErrors too. For answers that are not streamed: it skips the body stream `post` hands
   * over (a Readable, its async resource and its ticks: ~4 KB and a few microseconds a request).
   */
  postWhole(path: string, body: string | Buffer, headers: Record<string, string>, signal: Signal): Promise<WholeResponse> {
    return new Promise<WholeResponse>((resolve, reject) => {
      const answered = (res: WholeResponse) => (res.status >= 200 && res.status < 300 ? resolve(res) : reject(this.failureOf(res.status, res.headers, res.bytes)));
      const collector = new WholeBody(signal, answered, (err) => reject(fromNetworkError(this.provider, err)));
      try {
        this.pool.dispatch(this.options(path, body, headers), collector);
      } catch (err) {
        collector.onError(err);
      }
    });
  }

  /** Reads a whole response body; a cut or stalled body becomes an UpstreamError. */
  async readAll(res: UpstreamResponse): Promise<Buffer> {
    try {
      const bytes = await res.body.bytes();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      throw fromNetworkError(this.provider, err);
    }
  }

  /** Turns a non-2xx answer into an UpstreamError; a client error keeps the provider's message for the caller. */
  async failure(res: UpstreamResponse): Promise<UpstreamError> {
    return this.failureOf(res.status, res.headers, await this.readAll(res).catch(() => Buffer.alloc(0)));
  }

  private failureOf(status: number, headers: WholeResponse['headers'], body: Buffer): UpstreamError {
    if (status === 429) {
      return new UpstreamError(this.provider, ProviderErrorReason.rateLimited, 'rate limited', status, parseRetryAfter(headers['retry-after']));
    }
    if (status >= 500 || status === 408) {
      return new UpstreamError(this.provider, ProviderErrorReason.server, `HTTP ${status}`, status, parseRetryAfter(headers['retry-after']));
    }
    return new UpstreamError(this.provider, ProviderErrorReason.client, `HTTP ${status}`, status, undefined, providerClientError(this.provider, status, body));
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private options(path: string, body: string | Buffer, headers: Record<string, string>): Dispatcher.DispatchOptions {
    const all = Object.assign({}, this.config.headers, headers); // not a spread: see pipeline/headers.ts
    all['content-type'] = 'application/json';
    return { path: this.basePath + path, method: 'POST', headers: all, body };
  }
}

/**
 * A dispatch handler that collects an answer's bytes and settles once: with the answer on
 * completion, with the error (or the signal's reason) otherwise. The signal's listener is
 * removed as soon as it settles, so nothing outlives the request.
 */
class WholeBody implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private abort: ((err?: Error) => void) | undefined;
  private settled = false;
  private readonly listening: boolean;

  constructor(
    private readonly signal: Signal,
    private readonly resolve: (res: WholeResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.onAbort = this.onAbort.bind(this);
    this.listening = !signal.aborted;
    if (this.listening) signal.addEventListener('abort', this.onAbort);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.signal.aborted) return abort(this.signal.reason as Error);
    this.abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true; // 1xx: the answer's own headers come next
    this.status = status;
    this.headers = util.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    if (!this.finish()) return;
    this.resolve({ status: this.status, headers: this.headers, bytes: ownBytes(this.chunks, this.length) });
  }

  onError(err: unknown): void {
    if (!this.finish()) return;
    this.reject(this.signal.aborted ? this.signal.reason ?? err : err);
  }

  private onAbort(): void {
    this.abort?.(this.signal.reason as Error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.listening) this.signal.removeEventListener('abort', this.onAbort);
    return true;
  }
}

/**
 * The bytes in a buffer of their own: the chunks are views of socket reads, and an answer kept
 * in L1 must not keep a read's other bytes alive (nor the shared pool `Buffer.concat` uses).
 */
function ownBytes(chunks: readonly Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(out, at);
  return out;
}

/**
 * A streamed body's chunks, for a reader that stops at the stream's terminal event: stopping
 * does not destroy the body (Node would build an AbortError, stack trace and all, for every
 * stream); `settleBody` decides what happens to the rest.
 */
export function bodyChunks(res: UpstreamResponse): AsyncIterable<Buffer> {
  return res.body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/**
 * After a stream reader stopped: a stream that reached its terminal event has at most a few
 * bytes left, drained so the connection goes back to the pool; any other is destroyed.
 */
export function settleBody(res: UpstreamResponse, finished: boolean): void {
  const body = res.body;
  if (body.readableEnded || body.destroyed) return;
  if (!finished) return discardBody(res);
  // Nobody reads it any more: a late failure of the remainder must not become an unhandled 'error'.
  body.on('error', ignore).resume();
}

/**
 * Drops a body nobody will read (the caller left, the stream broke). Destroying an undici body
 * emits an 'error'; with no reader listening that would be an uncaught exception, so it is
 * ignored here: the reason is known already.
 */
export function discardBody(res: UpstreamResponse): void {
  res.body.on('error', ignore).destroy();
}

function ignore(): void {}

