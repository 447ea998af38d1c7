/**
 * The `messages` dialect: Anthropic's Messages API (`POST /v1/messages`,
 * `POST /v1/messages/count_tokens`) in front of every provider. See README.md in this folder.
 */
import type { Dialect } from '../types.js';
import { decode, type MessagesDecoded } from './decode.js';
import { encodeJson } from './encode-json.js';
import { errorBody, streamErrorFrame } from './errors.js';
import { eventsToJson, jsonToEvents } from './events.js';
import { frame } from './frame.js';
import { streamEncoder } from './stream-encoder.js';

export type { MessagesDecoded } from './decode.js';
export type { MessagesBody, MessageAnswer, MessageUsage } from './wire.js';
export { countTokens, countTokensBody, decodeCountTokens, type CountTokensDecoded } from './count-tokens.js';
export { errorType } from './errors.js';

/** The Anthropic Messages codec the pipeline decodes and encodes with. */
export const messagesDialect: Dialect<MessagesDecoded> = {
  name: 'messages',
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
