/**
 * The `chat` dialect: OpenAI Chat Completions, which is also the canonical form, so decoding is
 * validation and encoding is the identity (answers pass as the provider's bytes). Embeddings and
 * models share its error shape.
 */
import type { ChatCompletion } from '../../api/types.js';
import { validateChatRequest } from '../../api/validate.js';
import { completionToEvents, streamToCompletion } from '../../cache/convert.js';
import type { GatewayError } from '../../http/errors.js';
import { sseErrorFrame } from '../../http/respond.js';
import { sseData, SSE_DONE } from '../../providers/sse.js';
import type { Decoded, Dialect } from '../types.js';

export const chatDialect: Dialect = {
  name: 'chat',
  decode(body): Decoded {
    const canonical = validateChatRequest(body);
    return {
      canonical,
      model: canonical.model,
      stream: canonical.stream === true,
      includeUsage: canonical.stream_options?.include_usage === true,
    };
  },
  encodeJson: (completion: ChatCompletion) => JSON.stringify(completion),
  streamEncoder: () => ({ push: (chunk) => [JSON.stringify(chunk)], end: () => [] }),
  frame: sseData,
  streamEnd: SSE_DONE,
  // The usage-only chunk (empty choices) goes only to callers who asked for it.
  omits: (payload, request) => !request.includeUsage && payload.includes('"choices":[]'),
  jsonToEvents: completionToEvents,
  eventsToJson: streamToCompletion,
  errorBody: (error: GatewayError) => error.body(),
  streamErrorFrame: (error: GatewayError) => sseErrorFrame(error.message, error.type, error.code),
};
