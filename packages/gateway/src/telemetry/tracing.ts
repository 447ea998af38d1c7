/**
 * OpenTelemetry tracing: a tracer provider of our own (not registered globally, so embedding the
 * gateway never changes the host's tracing), parent-based ratio sampling, OTLP/HTTP export when
 * an endpoint is configured, and W3C `traceparent` in from callers and out to providers.
 * Context is passed explicitly from span to span: no async-hooks context manager on the hot path.
 */
import { ROOT_CONTEXT, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../config/schema.js';

const propagator = new W3CTraceContextPropagator();

const headerGetter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
};
const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

export class Tracing {
  readonly tracer: Tracer;
  private readonly provider: NodeTracerProvider | undefined;

  constructor(telemetry: GatewayConfig['telemetry']) {
    const endpoint = telemetry.otlpEndpoint;
    if (!endpoint) {
      // No exporter: spans are no-ops, but a caller's trace context still flows to providers.
      this.tracer = trace.getTracerProvider().getTracer('llm-edge-agent-noop');
      this.provider = undefined;
      return;
    }
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': telemetry.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(telemetry.samplerRatio) }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }), {
          // Spans wait in the batch until it is exported. Held for a second (the SDK's default is
          // five), every sampled request's spans outlived two young-generation GCs and were
          // promoted: ~470 KB/s of old-generation garbage at 1,000 req/s, a mark-compact every few
          // seconds. Exported every 100 ms, or once 64 are waiting (at 2,800 req/s the SDK's 512
          // still outlived two GCs: +57 KB promoted per scavenge), they die young; the cost is a
          // few small POSTs a second.
          scheduledDelayMillis: 100,
          maxExportBatchSize: 64,
          maxQueueSize: 4096,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('llm-edge-agent');
  }

  /** The caller's trace context from `traceparent`/`tracestate`, or the root context. */
  extract(headers: IncomingHttpHeaders): Context {
    if (headers.traceparent === undefined) return ROOT_CONTEXT;
    return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  }

  /** Adds `traceparent` (and `tracestate`) for `ctx` to outgoing headers. */
  inject(ctx: Context, headers: Record<string, string>): void {
    propagator.inject(ctx, headers, headerSetter);
  }

  /** Sends what is buffered and stops exporting. */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }

  /** Sends what is buffered now (tests, drain). */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }
}

