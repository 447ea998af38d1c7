/**
 * The OpenAI Responses dialect (`POST /v1/responses`): Responses requests decoded to the
 * canonical chat request, canonical answers and chunks encoded as Response objects and the
 * Responses event stream. See README.md in this folder.
 */
import type { Dialect } from '../types.js';
import { decode } from './decode.js';
import { encodeJson } from './encode-json.js';
import { errorBody, streamErrorFrame } from './errors.js';
import { eventsToJson, frame, jsonToEvents } from './replay.js';
import { streamEncoder } from './stream-encoder.js';
import type { ResponsesDecoded } from './types.js';

/**
 * The dialect object the pipeline runs Responses requests through.
 * @example
 * const decoded = responsesDialect.decode(body);           // 400 GatewayError on bad input
 * const json = responsesDialect.encodeJson(completion, decoded);
 */
export const responsesDialect: Dialect<ResponsesDecoded> = {
  name: 'responses',
  decode,
  encodeJson,
  streamEncoder,
  frame,
  streamEnd: '',
  jsonToEvents,
  eventsToJson,
  errorBody,
  streamErrorFrame,
};

export { decode, translationRefusal } from './decode.js';
export { withHistory, conversationAfter, conversationAfterResponse } from './history.js';
export { encodeJson, completionToResponse } from './encode-json.js';
export { streamEncoder, type ResponsesStreamEncoder } from './stream-encoder.js';
export { jsonToEvents, eventsToJson, frame } from './replay.js';
export { errorBody, errorEvent, streamErrorFrame } from './errors.js';
export { newResponseId } from './ids.js';
export { eventType } from './events.js';
export type { ResponsesDecoded, ResponseEcho, ResponseObject, ResponseUsage, OutputItem } from './types.js';
