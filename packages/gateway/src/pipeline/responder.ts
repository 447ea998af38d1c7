/**
 * Where an answer goes: the caller's connection. The pipeline writes through this interface
 * only, so every step and the whole pipeline run without sockets in tests (`MemoryResponder`),
 * and in production `NodeResponder` writes Node's `ServerResponse` directly (no web `Response`).
 */
import type { ServerResponse } from 'node:http';
import { startSse, writeFrame, type Headers } from '../http/respond.js';
import { Cancellation, type Signal } from '../http/cancel.js';

export type { Headers } from '../http/respond.js';

export interface Responder {
  /** Aborts when the caller leaves before the answer is complete. */
  readonly signal: Signal;
  /** True once the caller left (or the answer finished and the connection went). */
  readonly gone: boolean;
  /** True once the status line and headers went out. */
  readonly started: boolean;
  /** The status sent, or 499 when the caller left before any answer. */
  readonly status: number;
  /** `performance.now()` when the answer finished or the caller left; undefined while open. */
  readonly endedAt: number | undefined;
  /** A whole JSON answer. Ignored once an answer started or the caller left. */
  json(status: number, body: Buffer | string, headers: Headers): void;
  /** Starts an SSE answer (status 200). */
  startStream(headers: Headers): void;
  /** Writes SSE bytes; resolves when the connection can take more (backpressure). */
  write(frames: string): Promise<void> | undefined;
  /** Ends the answer, with last bytes. */
  end(frames?: string): void;
}

/** The caller's Node response. */
export class NodeResponder implements Responder {
  private controller: Cancellation | undefined;
  private left = false;
  private ended: number | undefined;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => {
      this.ended = performance.now();
      if (!res.writableFinished) {
        this.left = true;
        this.controller?.abort(new Error('client disconnected'));
      }
    });
  }

  get signal(): Signal {
    // Created on first use: most cache hits never need one.
    if (!this.controller) {
      this.controller = new Cancellation();
      if (this.left) this.controller.abort(new Error('client disconnected'));
    }
    return this.controller.signal;
  }

  get gone(): boolean {
    return this.res.destroyed;
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  get status(): number {
    return this.res.headersSent ? this.res.statusCode : 499;
  }

  get endedAt(): number | undefined {
    return this.ended;
  }

  json(status: number, body: Buffer | string, headers: Headers): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length, ...headers });
    res.end(body);
  }

  startStream(headers: Headers): void {
    if (!this.res.headersSent && !this.res.destroyed) startSse(this.res, headers);
  }

  write(frames: string): Promise<void> | undefined {
    return this.res.destroyed ? undefined : writeFrame(this.res, frames);
  }

  end(frames?: string): void {
    if (!this.res.destroyed) this.res.end(frames);
  }
}

/** An in-memory caller, for tests of steps and of the whole pipeline. */
export class MemoryResponder implements Responder {
  readonly headers: Record<string, string | number> = {};
  /** Everything written: the JSON body, or the SSE bytes. */
  body = '';
  private readonly controller = new Cancellation();
  private code: number | undefined;
  private ended: number | undefined;
  private finished = false;

  get signal(): Signal {
    return this.controller.signal;
  }

  get gone(): boolean {
    return this.controller.signal.aborted || this.finished;
  }

  get started(): boolean {
    return this.code !== undefined;
  }

  get status(): number {
    return this.code ?? 499;
  }

  get endedAt(): number | undefined {
    return this.ended;
  }

  /** True when the answer finished (not cut by the caller leaving). */
  get complete(): boolean {
    return this.finished;
  }

  /** The caller disconnects. */
  leave(): void {
    if (this.finished) return;
    this.ended = performance.now();
    this.controller.abort(new Error('client disconnected'));
  }

  json(status: number, body: Buffer | string, headers: Headers): void {
    if (this.started || this.gone) return;
    this.code = status;
    Object.assign(this.headers, { 'content-type': 'application/json' }, headers);
    this.body = body.toString();
    this.finish();
  }

  startStream(headers: Headers): void {
    if (this.started || this.gone) return;
    this.code = 200;
    Object.assign(this.headers, { 'content-type': 'text/event-stream; charset=utf-8' }, headers);
  }

  write(frames: string): undefined {
    if (!this.gone) this.body += frames;
    return undefined;
  }

  end(frames = ''): void {
    if (this.gone) return;
    this.body += frames;
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.ended = performance.now();
  }
}
