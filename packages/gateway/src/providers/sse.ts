/**
 * A minimal Server-Sent Events reader: splits a byte stream into events at blank lines and
 * returns each event's `event:` name and joined `data:` lines. Providers' streams are small
 * JSON events, so one pass over each chunk is enough.
 */

export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
}

export class SseParser {
  private buffer = '';

  /** Feeds bytes; returns the events they complete. */
  push(chunk: Buffer | string): SseEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.findBoundary(start);
      if (end === -1) break;
      const block = this.buffer.slice(start, end);
      start = end + (this.buffer.startsWith('\r\n\r\n', end) ? 4 : 2);
      const parsed = parseBlock(block);
      if (parsed) events.push(parsed);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Bytes received after the last complete event. */
  get pending(): string {
    return this.buffer;
  }

  private findBoundary(from: number): number {
    const lf = this.buffer.indexOf('\n\n', from);
    const crlf = this.buffer.indexOf('\r\n\r\n', from);
    if (crlf !== -1 && (lf === -1 || crlf < lf)) return crlf;
    return lf;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  let data: string | undefined;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (line.startsWith('event:')) {
      event = line.slice(6).trim();
    }
  }
  return data === undefined ? undefined : { event, data };
}

/** Frames one payload as an SSE `data:` event. */
export function sseData(payload: string): string {
  return `data: ${payload}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
