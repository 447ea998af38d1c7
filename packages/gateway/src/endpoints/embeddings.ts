/**
 * `POST /v1/embeddings` on the pipeline: validated, routed, answered from the cache or the
 * provider, with tokens and dollars counted. Errors in the chat dialect's (OpenAI's) shape.
 */
import { Attr, Span } from '@llm-edge/semconv';
import type { EmbeddingsRequest } from '../api/types.js';
import { validateEmbeddingsRequest } from '../api/validate.js';
import { chatDialect } from '../dialects/chat/index.js';
import { attempt, withRawBody } from '../pipeline/attempts.js';
import { answerHeaders, withProvider } from '../pipeline/headers.js';
import type { Answered, Endpoint, UpstreamInput } from '../pipeline/run.js';
import { settle } from '../pipeline/settle.js';
import { usageAttributes } from '../telemetry/genai.js';
import { estimateEmbeddingTokens } from '../telemetry/tokens.js';

export const embeddings: Endpoint<EmbeddingsRequest> = {
  route: '/v1/embeddings',
  cacheEndpoint: 'embeddings',
  dialect: chatDialect,
  decode: validateEmbeddingsRequest,
  model: (r) => r.model,
  shape: () => ({ stream: false }),
  estimateTokens: estimateEmbeddingTokens,
  costBasis: (r) => ({ promptTokens: estimateEmbeddingTokens(r), maxOutputTokens: 0 }),
  annotate: () => ({ [Attr.genAiOperationName]: 'embeddings' }),
  upstream,
};

async function upstream(input: UpstreamInput<EmbeddingsRequest>): Promise<Answered> {
  const { deps, request, responder, decoded } = input;
  const embeddingsRequest = decoded.request;
  const { value, target, upstreamMs } = await attempt(
    request, deps.resilience, deps.telemetry, input.route,
    (t, options) => t.provider.embeddings({ ...embeddingsRequest, model: t.model }, withRawBody(options, decoded.raw, embeddingsRequest.model, t)),
    { operation: 'embeddings', signal: input.signal, timeoutMs: input.timeoutMs, describe: (answer) => usageAttributes(answer.usage) },
  );
  const provider = target.provider.name;
  return request.step(Span.responseProcessing, () => {
    const reported = value.usage;
    // Embeddings use no completion tokens: what was reported, else what the request was admitted for.
    const prompt = reported?.prompt_tokens ?? input.admittedTokens;
    const usage = reported ? { prompt_tokens: prompt, completion_tokens: 0, total_tokens: reported.total_tokens ?? prompt } : undefined;
    const settlement = settle(deps.telemetry, deps.limits, {
      caller: input.caller, target, admittedTokens: input.admittedTokens, usage,
      estimatedPrompt: () => input.admittedTokens,
      text: () => '',
    });
    responder.json(200, value.bytes, answerHeaders(withProvider(input.head, provider)));
    const answer = { kind: 'json' as const, body: value.bytes, model: target.model, provider, createdAt: Date.now(), usage: settlement.usage };
    return { answer, provider, settlement, upstreamMs };
  });
}
