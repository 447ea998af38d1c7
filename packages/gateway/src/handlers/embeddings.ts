/** `POST /v1/embeddings`: authenticate, validate, route, and pass the provider's answer through. */
import { validateEmbeddingsRequest } from '../api/validate.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { toGatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sendError, sendJson } from '../http/respond.js';
import { estimateEmbeddingTokens } from '../telemetry/tokens.js';
import { recordAttempt } from './upstream.js';

export async function embeddings(gw: Gateway, x: Exchange): Promise<void> {
  try {
    gw.authenticate(x);
    const request = validateEmbeddingsRequest(parseJsonObject(await readBody(x.req, gw.config.server.bodyLimitBytes)));
    x.model = request.model;
    const route = gw.router.resolve(request.model);
    x.extraHeaders = await gw.limits.admit(x.caller!, estimateEmbeddingTokens(request));
    const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => t.provider.embeddings({ ...request, model: t.model }, o)), x);
    x.provider = target.provider.name;
    x.usage = value.usage;
    sendJson(x.res, 200, value.bytes, x.headers());
  } catch (err) {
    sendError(x.res, toGatewayError(err), x.headers());
  }
}
