/**
 * The Response object (`object: 'response'`) the JSON answer is and the stream's lifecycle
 * events carry: the answer's output items and usage, and the request fields it repeats.
 */
import type { FinishReason, Usage } from '../../api/types.js';
import type { OutputItem, ResponseObject, ResponsesDecoded, ResponseUsage } from './types.js';

export interface ResponseState {
  readonly model: string;
  readonly createdAt: number;
  readonly status: ResponseObject['status'];
  readonly output: OutputItem[];
  readonly usage: Usage | undefined;
  /** Why an `incomplete` response stopped (`max_output_tokens`, `content_filter`). */
  readonly incompleteReason?: string;
}

/** Builds the Response object for `request` in the given state. */
export function responseObject(request: ResponsesDecoded, state: ResponseState): ResponseObject {
  return {
    id: request.responseId,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    error: null,
    incomplete_details: state.status === 'incomplete' ? { reason: state.incompleteReason ?? 'max_output_tokens' } : null,
    model: state.model,
    output: state.output,
    usage: state.usage ? responsesUsage(state.usage) : null,
    ...request.echo,
  };
}

/** Canonical usage as the Responses API counts it. */
export function responsesUsage(u: Usage): ResponseUsage {
  const details = u.completion_tokens_details as { reasoning_tokens?: unknown } | undefined;
  const reasoning = typeof details?.reasoning_tokens === 'number' ? details.reasoning_tokens : 0;
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: u.total_tokens,
  };
}

/** A canonical finish reason as a Response's status (and the reason an incomplete one stopped). */
export function statusOf(finish: FinishReason | null | undefined): { status: 'completed' | 'incomplete'; incompleteReason?: string } {
  if (finish === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (finish === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}
