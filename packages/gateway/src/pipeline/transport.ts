/**
 * The transport: a Hono route's Node request and response in, the pipeline run, the outcome
 * recorded once. Handlers read Node's `IncomingMessage` and write its `ServerResponse` directly
 * (DESIGN.md's Performance section), so Hono never builds a web `Request` body or `Response`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body.js';
import { recordOutcome, type Outcome } from './outcome.js';
import { RequestTrace } from './request.js';
import { NodeResponder, type Responder } from './responder.js';
import { runPipeline, type Endpoint, type PipelineDeps } from './run.js';

/** Serves one request of `endpoint` through the pipeline. */
export function servePipeline<R>(deps: PipelineDeps, endpoint: Endpoint<R>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return serve(deps, endpoint.route, req, res, (request, responder) =>
    runPipeline(deps, endpoint, request, responder, () => readBody(req, deps.config.server.bodyLimitBytes)),
  );
}

/** Serves one request with `handle`, which answers through the responder and says what happened. */
export async function serve(
  deps: PipelineDeps,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: RequestTrace, responder: Responder) => Promise<Outcome>,
): Promise<void> {
  const { telemetry } = deps;
  const inFlight = telemetry.metrics.get('inFlightRequests');
  inFlight.inc();
  const request = new RequestTrace(route, req.headers, req.method ?? '', telemetry.tracing);
  const responder = new NodeResponder(res);
  try {
    recordOutcome(telemetry, request, responder, await handle(request, responder));
  } finally {
    inFlight.dec();
  }
}
