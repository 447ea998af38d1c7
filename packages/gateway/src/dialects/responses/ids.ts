/**
 * Ids of Responses objects. A response id is fresh per request (the pipeline stores the
 * conversation under it); the ids of its output items derive from it, so the JSON answer, the
 * stream and a replay of either name the same items.
 */
import { randomBytes } from 'node:crypto';

/** A fresh `resp_<48 hex>` id, the length OpenAI's ids have. */
export function newResponseId(): string {
  return `resp_${randomBytes(24).toString('hex')}`;
}

/** The id part after the `resp_` prefix (the whole id when it has no prefix). */
function suffix(responseId: string): string {
  return responseId.startsWith('resp_') ? responseId.slice(5) : responseId;
}

/** The id of output item `index` when it is a message: `msg_<suffix>_<index>`. */
export function messageItemId(responseId: string, index: number): string {
  return `msg_${suffix(responseId)}_${index}`;
}

/** The id of output item `index` when it is a function call: `fc_<suffix>_<index>`. */
export function functionCallItemId(responseId: string, index: number): string {
  return `fc_${suffix(responseId)}_${index}`;
}
