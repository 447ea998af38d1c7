/**
 * `POST /v1/embeddings`: authenticate, validate, route; answer from the cache or an identical
 * request in flight, else from the provider; count tokens and dollars; store the answer.
 */
import { Attr, Span } from '@llm-edge/semconv';
import type { EmbeddingsRequest } from '../api/types.js';
import { validateEmbeddingsRequest } from '../api/validate.js';
import type { CachedAnswer } from '../cache/index.js';
import type { Gateway } from '../gateway.js';
import { parseJsonObject, readBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../routing/router.js';
import { usageAttributes } from '../telemetry/genai.js';
import { estimateEmbeddingTokens } from '../telemetry/tokens.js';
import { recordUsage } from '../telemetry/usage.js';
import { answerThroughCache, planCache } from './cached.js';
import { routeAndAdmit } from './route.js';
import { attemptContext, recordAttempt, withRawBody } from './upstream.js';

export async function embeddings(gw: Gateway, x: Exchange): Promise<void> {
  try {
    await gw.authenticate(x);
    const raw = await readBody(x.req, gw.config.server.bodyLimitBytes);
    const body = parseJsonObject(raw);
    const request = validateEmbeddingsRequest(body);
    x.annotate(() => ({ [Attr.genAiOperationName]: 'embeddings' }));
    const route = await routeAndAdmit(gw, x, request.model, estimateEmbeddingTokens(request));
    await answerThroughCache(gw, x, planCache(gw, x, route, 'embeddings', body, raw), { stream: false, includeUsage: false }, (_flight, signal) =>
      upstream(gw, x, route, request, raw, signal),
    );
  } catch (err) {
    x.fail(err);
  }
}

async function upstream(gw: Gateway, x: Exchange, route: Route, request: EmbeddingsRequest, raw: Buffer, signal: AbortSignal): Promise<CachedAnswer> {
  const { value, target } = await gw.resilience.run(
    route,
    (t, a) =>
      recordAttempt(gw, x, t, a, (o) => t.provider.embeddings({ ...request, model: t.model }, withRawBody(o, raw, request.model, t)), {
        describe: (answer) => usageAttributes(answer.usage),
      }),
    attemptContext(gw, x, signal),
  );
  x.provider = target.provider.name;
  return x.step(Span.responseProcessing, () => {
    const reported = value.usage;
    x.usageEstimated = reported === undefined;
    const prompt = reported?.prompt_tokens ?? x.admittedTokens;
    x.usage = { prompt_tokens: prompt, completion_tokens: 0, total_tokens: reported?.total_tokens ?? prompt };
    x.costUsd = recordUsage(gw.telemetry, target.provider.name, target.model, x.usage);
    gw.limits.reconcile(x.caller!, x.admittedTokens, x.usage.total_tokens);
    sendJson(x.res, 200, value.bytes, x.headers());
    return { kind: 'json', body: value.bytes, model: target.model, provider: target.provider.name, createdAt: Date.now(), usage: x.usage };
  });
}
