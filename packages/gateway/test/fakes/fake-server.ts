// The HTTP server every fake provider runs on: a plain node:http listener on a free loopback port
// that records each request, applies its fault, and gives the provider an `Exchange` to answer
// through. Answering goes through the exchange so faults that cut a response short (stall, break,
// in-stream error) work the same way for every provider and every endpoint.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultQueue } from './faults.js';
import type { Fault } from './faults.js';

export interface RecordedCall {
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: any;
  /** The body exactly as received (UTF-8). */
  raw: string;
  /** Date.now() when the request body had been read. */
  at: number;
}

export interface FakeProvider {
  /** e.g. http://127.0.0.1:PORT */
  readonly url: string;
  /** Every request received, in order. */
  readonly calls: RecordedCall[];
  /** The next requests take these faults in order, one each; then normal again. */
  script(...faults: Fault[]): void;
  /** Every request takes this fault until cleared with null (a provider that is down). */
  setDefault(fault: Fault | null): void;
  /** Delay before answering every request (default 0). */
  setLatency(ms: number): void;
  /** Clears calls, script, default and latency. Response ids keep counting up. */
  reset(): void;
  /** Closes the server and every open socket, hanging and stalled ones included. */
  close(): Promise<void>;
}

/** A stream answer as ready-to-write SSE text, split where faults may cut it. */
export interface StreamPlan {
  /** Events before the first content chunk (role chunk, message_start, block start, ping). */
  readonly preamble: string;
  /** One entry per content chunk (a word, or a fragment of tool-call arguments). */
  readonly chunks: readonly string[];
  /** Events after the content (finish chunk, usage, [DONE] / message_delta, message_stop). */
  readonly tail: string;
  /** The provider's in-stream error event, for the 'stream-error' fault. */
  readonly errorEvent: string;
  /** Response headers of the stream. @default SSE's content type */
  readonly headers?: Readonly<Record<string, string>>;
  /** 'latin1' when the strings hold binary frames byte for byte (AWS event-stream). @default 'utf8' */
  readonly encoding?: 'utf8' | 'latin1';
}

/** What a provider plugs into the server. */
export interface Wire {
  /** The provider's error body for a status, used by 'status' faults. */
  errorBody(status: number): unknown;
  /** Headers the provider sends with that error (Bedrock's `x-amzn-errortype`). */
  errorHeaders?(status: number): Record<string, string>;
  /** Status a 'stream-error' fault answers a non-streaming request with. */
  readonly streamErrorStatus: number;
  /** Header that carries the request id (`x-request-id`, `request-id`). */
  readonly requestIdHeader: string;
  /** Answers one request that was not failed by its fault. */
  handle(ex: Exchange): void;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** One request and its response, with the fault (if any) that shapes the answer. */
export class Exchange {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly call: RecordedCall,
    /** Sequence number of this request on its server, from 1. */
    readonly seq: number,
    private readonly fault: Fault | null,
    private readonly server: FakeServer,
  ) {}

  /** True when the 'no-usage' fault asks for an answer without usage fields. */
  get noUsage(): boolean {
    return this.fault?.kind === 'no-usage';
  }

  get requestId(): string {
    return `req_${this.seq}`;
  }

  /** Sends a JSON answer; stall/break faults cut it in half, a stream-error fault replaces it. */
  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const f = this.fault;
    if (f?.kind === 'stream-error' && status < 400) {
      const status = this.server.wire.streamErrorStatus;
      this.json(status, this.server.wire.errorBody(status), this.server.wire.errorHeaders?.(status));
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const whole = Buffer.from(text);
    const bytes = status < 400 && f?.kind === 'truncate-json' ? whole.subarray(0, whole.length >> 1) : whole;
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      [this.server.wire.requestIdHeader]: this.requestId,
      ...headers,
    });
    if (status < 400 && (f?.kind === 'stall-stream' || f?.kind === 'break-stream')) {
      const half = bytes.subarray(0, bytes.length >> 1);
      if (f.kind === 'stall-stream') this.res.write(half);
      else this.res.write(half, () => destroyWhenFlushed(this.res));
      return;
    }
    this.res.end(bytes);
  }

  /** Sends an SSE answer chunk by chunk (chunkDelayMs apart), cut short by stream faults. */
  stream(plan: StreamPlan): void {
    const { res } = this;
    const f = this.fault;
    let end: 'tail' | 'stall' | 'break' | 'error' = 'tail';
    let limit = plan.chunks.length;
    if (f?.kind === 'stall-stream' || f?.kind === 'break-stream' || f?.kind === 'stream-error') {
      limit = Math.min(f.afterChunks, plan.chunks.length);
      end = f.kind === 'stall-stream' ? 'stall' : f.kind === 'break-stream' ? 'break' : 'error';
    }
    const enc = plan.encoding ?? 'utf8';
    res.writeHead(200, { ...(plan.headers ?? SSE_HEADERS), [this.server.wire.requestIdHeader]: this.requestId });
    const finish = (pending: string): void => {
      if (f?.kind === 'linger-after-end') {
        res.write(pending + plan.tail, enc);
        this.server.after(f.ms, () => destroyWhenFlushed(res));
      } else if (end === 'tail') res.end(pending + plan.tail, enc);
      else if (end === 'error') res.end(pending + plan.errorEvent, enc);
      else if (end === 'stall') {
        if (pending !== '') res.write(pending, enc);
      } else if (pending !== '') res.write(pending, enc, () => destroyWhenFlushed(res));
      else destroyWhenFlushed(res);
    };
    const delay = this.server.chunkDelayMs;
    if (delay <= 0) {
      // One write: the fastest path, and what benchmarks measure.
      let out = plan.preamble;
      for (let i = 0; i < limit; i++) out += plan.chunks[i];
      finish(out);
      return;
    }
    res.write(plan.preamble, enc);
    let i = 0;
    const step = (): void => {
      if (res.destroyed) return;
      if (i < limit) {
        res.write(plan.chunks[i++] as string, enc);
        this.server.after(delay, step);
      } else {
        finish('');
      }
    };
    this.server.after(delay, step);
  }
}

export interface FakeServerOptions {
  readonly chunkDelayMs?: number;
  readonly recordCalls?: boolean;
}

/** The listener, the fault queue and the bookkeeping that lets close() leave nothing behind. */
export class FakeServer implements FakeProvider {
  readonly calls: RecordedCall[] = [];
  readonly chunkDelayMs: number;
  private readonly recordCalls: boolean;
  private readonly faults = new FaultQueue();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private latencyMs = 0;
  private seq = 0;
  private closed = false;
  private origin = '';
  private readonly http: Server;

  constructor(
    readonly wire: Wire,
    { chunkDelayMs = 0, recordCalls = true }: FakeServerOptions = {},
  ) {
    if (!(chunkDelayMs >= 0)) throw new Error(`chunkDelayMs must be >= 0, got ${chunkDelayMs}`);
    this.chunkDelayMs = chunkDelayMs;
    this.recordCalls = recordCalls;
    this.http = createServer({ keepAlive: true }, (req, res) => this.onRequest(req, res));
    // Long enough that a pooled client never races the server closing an idle connection.
    this.http.keepAliveTimeout = 60_000;
    this.http.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return this.origin;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(0, '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address();
    if (address === null || typeof address === 'string') throw new Error('fake provider: no TCP address');
    this.origin = `http://127.0.0.1:${address.port}`;
    return this;
  }

  script(...faults: Fault[]): void {
    this.faults.script(faults);
  }

  setDefault(fault: Fault | null): void {
    this.faults.setDefault(fault);
  }

  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new Error(`setLatency: ms must be >= 0, got ${ms}`);
    this.latencyMs = ms;
  }

  reset(): void {
    this.calls.length = 0;
    this.faults.clear();
    this.latencyMs = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await done;
  }

  /** setTimeout that close() cancels, so no test leaks a pending timer. */
  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const raw = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      const call: RecordedCall = {
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers: req.headers,
        body: parseBody(raw),
        raw: raw.toString('utf8'),
        at: Date.now(),
      };
      if (this.recordCalls) this.calls.push(call);
      const fault = this.faults.next();
      const ex = new Exchange(req, res, call, ++this.seq, fault, this);
      if (fault?.kind === 'hang') return; // the socket stays tracked until close()
      const wait = this.latencyMs + (fault?.kind === 'delay' ? fault.ms : 0);
      if (wait > 0) this.after(wait, () => this.answer(ex, fault));
      else this.answer(ex, fault);
    });
  }

  private answer(ex: Exchange, fault: Fault | null): void {
    if (fault?.kind === 'reset') {
      ex.req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'raw') {
      const bytes = Buffer.from(fault.body);
      ex.res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json', 'content-length': String(bytes.length) });
      ex.res.end(bytes);
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { ...this.wire.errorHeaders?.(fault.status) };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      ex.json(fault.status, fault.body !== undefined ? fault.body : this.wire.errorBody(fault.status), headers);
      return;
    }
    this.wire.handle(ex);
  }
}

// Destroying with bytes still queued would drop the chunks the fault promised to deliver.
function destroyWhenFlushed(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  if (socket.writableLength === 0) socket.destroy();
  else socket.once('drain', () => socket.destroy());
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
