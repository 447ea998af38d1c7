/**
 * OpenTelemetry GenAI attributes of a chat request and of its answer, for the request span of a
 * recorded (sampled-in) request: nothing here runs for a request that is sampled out.
 */
import type { Attributes } from '@opentelemetry/api';
import { Attr } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import { streamToCompletion } from '../cache/index.js';

export function chatRequestAttributes(request: ChatRequest): Attributes {
  const attributes: Attributes = { [Attr.genAiOperationName]: 'chat', [Attr.genAiRequestStream]: request.stream === true };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') attributes[Attr.genAiRequestMaxTokens] = maxTokens;
  if (typeof request.temperature === 'number') attributes[Attr.genAiRequestTemperature] = request.temperature;
  return attributes;
}

/** The answer's id, model and finish reasons. */
export function completionAttributes(completion: ChatCompletion): Attributes {
  return {
    [Attr.genAiResponseId]: completion.id,
    [Attr.genAiResponseModel]: completion.model,
    [Attr.genAiResponseFinishReasons]: completion.choices.map((c) => c.finish_reason ?? ''),
  };
}

/** The same for a streamed answer, from its chunk payloads. */
export function streamedAttributes(events: readonly string[]): Attributes {
  return completionAttributes(JSON.parse(streamToCompletion(events).toString('utf8')) as ChatCompletion);
}

/** The provider's token counts, for the `provider_request` span (the GenAI inference span). */
export function usageAttributes(usage: Usage | undefined): Attributes {
  if (!usage) return {};
  return { [Attr.genAiUsageInputTokens]: usage.prompt_tokens, [Attr.genAiUsageOutputTokens]: usage.completion_tokens };
}
