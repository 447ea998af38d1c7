/**
 * One request's context from arrival to the last byte: its id, caller, model, provider, cache
 * status and timings. It writes the access log line and the request metrics when the response
 * finishes, so every path (answer, error, cut stream) is counted exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CacheStatus, type CacheStatusValue } from '@llm-edge/semconv';
import type { Usage } from '../api/types.js';
import type { Caller } from '../auth/api-keys.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { Headers } from './respond.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export class Exchange {
  readonly id: string;
  readonly startedAt = performance.now();
  readonly controller = new AbortController();
  caller: Caller | undefined;
  model = '';
  provider = '';
  cache: CacheStatusValue = CacheStatus.bypass;
  usage: Usage | undefined;
  usageEstimated = false;
  costUsd = 0;
  /** Milliseconds spent waiting on providers: taken out of the gateway's own overhead. */
  upstreamMs = 0;
  /** Set when the first streamed byte went out. */
  firstByteAt: number | undefined;
  traceId: string | undefined;
  /** Headers every answer to this request carries (e.g. `x-ratelimit-*`). */
  extraHeaders: Headers = {};
  private finished = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The endpoint route, a bounded metric label. */
    readonly route: string,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    const given = req.headers['x-request-id'];
    this.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    // The caller leaving mid-request aborts the upstream call and any stream.
    res.once('close', () => {
      if (!res.writableFinished) this.controller.abort(new Error('client disconnected'));
      this.finish();
    });
    metrics.get('inFlightRequests').inc();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Headers every answer carries. */
  headers(extra: Headers = {}): Headers {
    const headers: Headers = { 'x-request-id': this.id, 'x-llm-edge-cache': this.cache, ...this.extraHeaders, ...extra };
    if (this.provider) headers['x-llm-edge-provider'] = this.provider;
    return headers;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const m = this.metrics;
    m.get('inFlightRequests').dec();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const status = this.res.headersSent ? this.res.statusCode : 499; // 499: caller left before an answer
    const statusLabel = String(status);
    m.get('requestsTotal').labels(this.route, this.model, this.provider, statusLabel, this.cache).inc();
    m.get('requestDurationSeconds').labels(this.route, this.provider, this.cache).observe(seconds);
    m.get('overheadSeconds').labels(this.route).observe(Math.max(0, seconds - this.upstreamMs / 1000));
    if (this.firstByteAt !== undefined) {
      m.get('timeToFirstByteSeconds').labels(this.route, this.provider, this.cache).observe((this.firstByteAt - this.startedAt) / 1000);
    }
    if (this.log.isLevelEnabled('info')) {
      this.log.info({
        msg: 'request',
        request_id: this.id,
        key_id: this.caller?.keyId ?? '',
        route: this.route,
        model: this.model,
        provider: this.provider,
        status,
        cache: this.cache,
        prompt_tokens: this.usage?.prompt_tokens ?? 0,
        completion_tokens: this.usage?.completion_tokens ?? 0,
        usage_estimated: this.usageEstimated,
        cost_usd: this.costUsd,
        duration_ms: Math.round(seconds * 1000 * 100) / 100,
        trace_id: this.traceId ?? '',
      });
    }
  }
}
