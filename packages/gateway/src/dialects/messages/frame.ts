/**
 * SSE framing for Messages events: Anthropic names every event (`event: <type>`) and clients
 * dispatch on that name, so each payload's `type` becomes its event line.
 */

const TYPE_PREFIX = '{"type":"';

/** The event's type: read off the leading `{"type":"...` that every payload here starts with, else parsed. */
export function eventType(payload: string): string | undefined {
  if (payload.startsWith(TYPE_PREFIX)) {
    const end = payload.indexOf('"', TYPE_PREFIX.length);
    if (end !== -1) return payload.slice(TYPE_PREFIX.length, end);
  }
  try {
    const type = (JSON.parse(payload) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** One event payload framed as `event: <type>\ndata: <payload>\n\n`. */
export function frame(payload: string): string {
  const type = eventType(payload);
  return type === undefined ? `data: ${payload}\n\n` : `event: ${type}\ndata: ${payload}\n\n`;
}
