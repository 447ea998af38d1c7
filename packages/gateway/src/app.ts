/**
 * The HTTP surface: Hono routes each endpoint to its handler. Handlers read Node's request and
 * write Node's response directly (DESIGN.md's Performance section), so Hono never builds a web
 * `Request` body or `Response` on the hot path.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import type { Gateway } from './gateway.js';
import { GatewayError } from './http/errors.js';
import type { Exchange } from './http/exchange.js';
import { sendError } from './http/respond.js';
import { chatCompletions } from './handlers/chat-completions.js';
import { embeddings } from './handlers/embeddings.js';
import { health, ready } from './handlers/health.js';
import { models } from './handlers/models.js';

type Env = { Bindings: HttpBindings };
type Handler = (gw: Gateway, x: Exchange) => Promise<void> | void;

export function createApp(gw: Gateway): Hono<Env> {
  const app = new Hono<Env>();
  const endpoint = (route: string, handler: Handler) => async (c: Context<Env>) => {
    await handler(gw, gw.exchange(c.env.incoming, c.env.outgoing, route));
    return RESPONSE_ALREADY_SENT;
  };
  const raw = (write: (c: Context<Env>) => void) => (c: Context<Env>) => {
    write(c);
    return RESPONSE_ALREADY_SENT;
  };
  const methodNotAllowed = (allowed: string) =>
    raw((c) => sendError(c.env.outgoing, new GatewayError(405, 'invalid_request_error', `Method ${c.req.method} is not allowed on ${c.req.path}; use ${allowed}.`, null, 'method_not_allowed'), { allow: allowed }));

  app.post('/v1/chat/completions', endpoint('/v1/chat/completions', chatCompletions));
  app.post('/v1/embeddings', endpoint('/v1/embeddings', embeddings));
  app.get('/v1/models', endpoint('/v1/models', models));
  app.get('/health', raw((c) => health(c.env.outgoing)));
  app.get('/ready', raw((c) => ready(gw, c.env.outgoing)));
  app.all('/v1/chat/completions', methodNotAllowed('POST'));
  app.all('/v1/embeddings', methodNotAllowed('POST'));
  app.all('/v1/models', methodNotAllowed('GET'));

  app.notFound(raw((c) => sendError(c.env.outgoing, new GatewayError(404, 'not_found_error', `Unknown path ${c.req.method} ${c.req.path}.`, null, 'unknown_path'))));
  app.onError((err, c) => {
    gw.log.error({ err }, 'unhandled error');
    sendError(c.env.outgoing, new GatewayError(500, 'api_error', 'The gateway failed to handle the request.', null, 'internal_error'));
    return RESPONSE_ALREADY_SENT;
  });
  return app;
}
