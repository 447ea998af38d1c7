/** `POST /v1/embeddings`: authenticate, validate, route, and pass the provider's answer through. */
import { Span } from '@llm-edge/semconv';
import { validateEmbeddingsRequest } from '../api/validate.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { toGatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sendError, sendJson } from '../http/respond.js';
import { estimateEmbeddingTokens } from '../telemetry/tokens.js';
import { recordUsage } from '../telemetry/usage.js';
import { recordAttempt } from './upstream.js';

export async function embeddings(gw: Gateway, x: Exchange): Promise<void> {
  try {
    await gw.authenticate(x);
    const request = validateEmbeddingsRequest(parseJsonObject(await readBody(x.req, gw.config.server.bodyLimitBytes)));
    x.model = request.model;
    const route = await x.step(Span.routingDecision, async () => {
      const resolved = gw.router.resolve(request.model);
      x.extraHeaders = await gw.limits.admit(x.caller!, estimateEmbeddingTokens(request));
      return resolved;
    });
    const { value, target } = await gw.resilience.run(route, (t) => recordAttempt(gw, x, t, (o) => t.provider.embeddings({ ...request, model: t.model }, o)), x);
    x.provider = target.provider.name;
    await x.step(Span.responseProcessing, () => {
      const estimated = estimateEmbeddingTokens(request);
      const usage = value.usage ?? { prompt_tokens: estimated, completion_tokens: 0, total_tokens: estimated };
      x.usageEstimated = value.usage === undefined;
      x.usage = { ...usage, completion_tokens: usage.completion_tokens ?? 0 };
      x.costUsd = recordUsage(gw.telemetry, target.provider.name, target.model, x.usage);
      gw.limits.reconcile(x.caller!, estimated, x.usage.total_tokens);
      sendJson(x.res, 200, value.bytes, x.headers());
    });
  } catch (err) {
    sendError(x.res, toGatewayError(err), x.headers());
  }
}
