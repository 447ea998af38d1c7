/**
 * The HTTP surface: Hono routes each endpoint to the transport, which runs it through the
 * pipeline on Node's own request and response (DESIGN.md's Performance section), so Hono never
 * builds a web `Request` body or `Response` on the hot path.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import type { Gateway } from './gateway.js';
import { GatewayError } from './http/errors.js';
import { sendError } from './http/respond.js';
import { chatCompletions } from './endpoints/chat-completions.js';
import { embeddings } from './endpoints/embeddings.js';
import { health, ready } from './endpoints/health.js';
import { countTokens, COUNT_TOKENS_ROUTE, messages } from './endpoints/messages.js';
import { models, MODELS_ROUTE } from './endpoints/models.js';
import { deleteResponse, RESPONSE_ROUTE, responses, retrieveResponse } from './endpoints/responses.js';
import type { Outcome } from './pipeline/outcome.js';
import type { RequestTrace } from './pipeline/request.js';
import type { Responder } from './pipeline/responder.js';
import type { Endpoint } from './pipeline/run.js';
import { serve, servePipeline } from './pipeline/transport.js';

type Env = { Bindings: HttpBindings };
type Handle = (request: RequestTrace, responder: Responder) => Promise<Outcome>;
/** Hono's path of one stored response; its route label is RESPONSE_ROUTE. */
const RESPONSE_PATH = '/v1/responses/:id';

export function createApp(gw: Gateway): Hono<Env> {
  const app = new Hono<Env>();
  const pipeline = <R>(endpoint: Endpoint<R>) => async (c: Context<Env>) => {
    await servePipeline(gw, endpoint, c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  };
  const raw = (write: (c: Context<Env>) => void) => (c: Context<Env>) => {
    write(c);
    return RESPONSE_ALREADY_SENT;
  };
  const methodNotAllowed = (allowed: string) =>
    raw((c) => sendError(c.env.outgoing, new GatewayError(405, 'invalid_request_error', `Method ${c.req.method} is not allowed on ${c.req.path}; use ${allowed}.`, null, 'method_not_allowed'), { allow: allowed }));

  /** An endpoint outside the completion pipeline, still recorded as one request. */
  const simple = (route: string, handle: (c: Context<Env>) => Handle) => async (c: Context<Env>) => {
    await serve(gw, route, c.env.incoming, c.env.outgoing, handle(c));
    return RESPONSE_ALREADY_SENT;
  };

  app.post(chatCompletions.route, pipeline(chatCompletions));
  app.post(embeddings.route, pipeline(embeddings));
  app.post(messages.route, pipeline(messages));
  app.post(responses.route, pipeline(responses));
  app.get(MODELS_ROUTE, simple(MODELS_ROUTE, () => (request, responder) => models(gw, request, responder)));
  app.post(COUNT_TOKENS_ROUTE, simple(COUNT_TOKENS_ROUTE, (c) => (request, responder) => countTokens(gw, request, responder, c.env.incoming)));
  app.get(RESPONSE_PATH, simple(RESPONSE_ROUTE, (c) => (request, responder) => retrieveResponse(gw, request, responder, c.req.param('id') ?? '')));
  app.delete(RESPONSE_PATH, simple(RESPONSE_ROUTE, (c) => (request, responder) => deleteResponse(gw, request, responder, c.req.param('id') ?? '')));
  app.get('/health', raw((c) => health(c.env.outgoing)));
  app.get('/ready', raw((c) => ready(gw, c.env.outgoing)));
  app.all(chatCompletions.route, methodNotAllowed('POST'));
  app.all(embeddings.route, methodNotAllowed('POST'));
  app.all(MODELS_ROUTE, methodNotAllowed('GET'));
  app.all(messages.route, methodNotAllowed('POST'));
  app.all(COUNT_TOKENS_ROUTE, methodNotAllowed('POST'));
  app.all(responses.route, methodNotAllowed('POST'));
  app.all(RESPONSE_PATH, methodNotAllowed('GET, DELETE'));

  app.notFound(raw((c) => sendError(c.env.outgoing, new GatewayError(404, 'not_found_error', `Unknown path ${c.req.method} ${c.req.path}.`, null, 'unknown_path'))));
  app.onError((err, c) => {
    gw.log.error({ err }, 'unhandled error');
    sendError(c.env.outgoing, new GatewayError(500, 'api_error', 'The gateway failed to handle the request.', null, 'internal_error'));
    return RESPONSE_ALREADY_SENT;
  });
  return app;
}
