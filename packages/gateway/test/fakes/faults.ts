// What can go wrong with a provider, as data a test scripts, and the queue that hands each request
// its fault. Shared by every fake provider so a test injects the same failures into any of them.

export type Fault =
  /** An error in the provider's own error shape (unless `body` is given), with `retry-after` seconds when set. */
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown }
  /** Destroy the socket (TCP RST) before any response byte. */
  | { kind: 'reset' }
  /** Accept the request and never answer, until the fake is closed. */
  | { kind: 'hang' }
  /** Wait `ms`, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Streams: send the preamble and N content chunks, then go silent with the socket open. JSON: send half the body, then go silent. */
  | { kind: 'stall-stream'; afterChunks: number }
  /** Streams: send the preamble and N content chunks, then destroy the socket. JSON: send half the body, then destroy. */
  | { kind: 'break-stream'; afterChunks: number }
  /** Answer normally but without any usage fields. */
  | { kind: 'no-usage' }
  /**
   * Streams: send N content chunks, then the provider's in-stream error (Anthropic `event: error`
   * overloaded_error, OpenAI `data: {"error":...}`) and end the response cleanly.
   * JSON: the same error as a status (Anthropic 529, OpenAI 500).
   */
  | { kind: 'stream-error'; afterChunks: number }
  /**
   * Streams: send the whole stream, terminal event included, but keep the response open for `ms`
   * and then destroy the socket (a provider that does not end its body after `[DONE]` or
   * `message_stop`). JSON: answer normally.
   */
  | { kind: 'linger-after-end'; ms: number }
  /**
   * JSON: the answer cut in half but framed as complete (a `content-length` of the half): a
   * broken proxy or provider that ends the body cleanly mid-way. Streams: answer normally.
   */
  | { kind: 'truncate-json' }
  /** Answer with exactly this status and body (e.g. a 200 whose body is an error object). */
  | { kind: 'raw'; status: number; body: string; contentType?: string };

/** Hands out faults: scripted ones first, one per request, then the default (if any). */
export class FaultQueue {
  private scripted: Fault[] = [];
  private fallback: Fault | null = null;

  script(faults: readonly Fault[]): void {
    for (const f of faults) validateFault(f);
    this.scripted.push(...faults);
  }

  setDefault(fault: Fault | null): void {
    if (fault !== null) validateFault(fault);
    this.fallback = fault;
  }

  next(): Fault | null {
    return this.scripted.shift() ?? this.fallback;
  }

  clear(): void {
    this.scripted = [];
    this.fallback = null;
  }
}

// A typo in a test's fault should fail loudly at the call site, not as a confusing answer later.
function validateFault(f: Fault): void {
  const where = `fault ${JSON.stringify(f)}`;
  switch (f.kind) {
    case 'status':
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) {
        throw new Error(`${where}: status must be an integer 400..599`);
      }
      if (f.retryAfter !== undefined && !(f.retryAfter >= 0)) throw new Error(`${where}: retryAfter must be >= 0`);
      return;
    case 'delay':
    case 'linger-after-end':
      if (!(f.ms >= 0)) throw new Error(`${where}: ms must be >= 0`);
      return;
    case 'stall-stream':
    case 'break-stream':
    case 'stream-error':
      if (!Number.isInteger(f.afterChunks) || f.afterChunks < 0) {
        throw new Error(`${where}: afterChunks must be an integer >= 0`);
      }
      return;
    case 'raw':
      if (!Number.isInteger(f.status) || f.status < 200 || f.status > 599) throw new Error(`${where}: status must be an integer 200..599`);
      if (typeof f.body !== 'string') throw new Error(`${where}: body must be a string`);
      return;
    case 'reset':
    case 'hang':
    case 'no-usage':
    case 'truncate-json':
      return;
    default:
      throw new Error(`${where}: unknown kind`);
  }
}
