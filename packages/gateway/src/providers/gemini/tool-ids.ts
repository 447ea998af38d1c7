/**
 * Tool call ids for Gemini's function calls. Gemini names calls, it does not number them, so the
 * gateway makes up an OpenAI `tool_call_id` per call. A call's thought signature (which Gemini 3
 * requires back when the conversation is replayed) rides in the id after `__ts__`, so a caller
 * that echoes the assistant message and tool ids, as every OpenAI client does, sends it back
 * without the gateway keeping any state.
 */
import { randomBytes } from 'node:crypto';

const SEPARATOR = '__ts__';

/** Gemini's documented stand-in for a signature the caller cannot supply (calls made elsewhere). */
export const THOUGHT_SIGNATURE_SKIP = 'skip_thought_signature_validator';

/** A new id for a function call, carrying its thought signature when it has one. */
export function newToolCallId(upstreamId: unknown, signature: unknown): string {
  const base = typeof upstreamId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(upstreamId) && !upstreamId.includes(SEPARATOR)
    ? `call_${upstreamId}`
    : `call_${randomBytes(12).toString('hex')}`;
  return typeof signature === 'string' && signature !== '' ? `${base}${SEPARATOR}${signature}` : base;
}

/** The signature an id carries, if any. */
export function splitToolCallId(id: string): { base: string; signature: string | undefined } {
  const at = typeof id === 'string' ? id.indexOf(SEPARATOR) : -1;
  if (at === -1) return { base: id, signature: undefined };
  const signature = id.slice(at + SEPARATOR.length);
  return { base: id.slice(0, at), signature: signature === '' ? undefined : signature };
}
