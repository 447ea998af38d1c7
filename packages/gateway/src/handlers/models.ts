/** `GET /v1/models`: the models this gateway routes, in OpenAI's list shape. */
import type { Gateway } from '../gateway.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';

export async function models(gw: Gateway, x: Exchange): Promise<void> {
  try {
    await gw.authenticate(x);
    const data = gw.router.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.owned_by }));
    sendJson(x.res, 200, JSON.stringify({ object: 'list', data }), x.headers());
  } catch (err) {
    x.fail(err);
  }
}
