/**
 * Writing answers straight to Node's `ServerResponse`: JSON bytes as they are, SSE frames with
 * backpressure, and errors in the OpenAI shape. Nothing here re-encodes a body it was given.
 */
import type { ServerResponse } from 'node:http';
import { errorBody, type GatewayError } from './errors.js';

export type Headers = Record<string, string | number>;

export function sendJson(res: ServerResponse, status: number, body: Buffer | string, headers: Headers = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: GatewayError, headers: Headers = {}): void {
  const extra: Headers = { ...headers, ...error.headers };
  // A body we did not read whole must not be parsed as the next request on this connection.
  if (error.status === 413) extra.connection = 'close';
  sendJson(res, error.status, error.body(), extra);
}

export function startSse(res: ServerResponse, headers: Headers): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
}

/**
 * Writes one SSE frame; resolves when the socket can take more (backpressure). Frames written
 * in the same tick (the events of one upstream chunk) leave in one socket write.
 */
export function writeFrame(res: ServerResponse, frame: string): Promise<void> | undefined {
  if (res.writableCorked === 0) {
    res.cork();
    process.nextTick(uncork, res);
  }
  if (res.write(frame)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** An error event for a stream that already started: OpenAI's SDKs raise it as an APIError. */
export function sseErrorFrame(message: string, type: string, code: string | null): string {
  return `data: ${errorBody(message, type, null, code)}\n\n`;
}

function uncork(res: ServerResponse): void {
  res.uncork();
}
