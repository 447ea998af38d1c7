/**
 * Structured JSON logs with pino: one access line per request plus lifecycle events. Secrets and
 * bodies are never handed to the logger (a test searches every line for them), so no redaction
 * pass runs per line; `time` is epoch milliseconds, pino's cheapest clock.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Log bytes gathered before one write to stdout: under load one write (and one trip through
 * libuv's thread pool) carries a dozen lines instead of one each.
 */
const BUFFER_BYTES = 4096;
/** The longest a line waits in that buffer when traffic is light. */
const FLUSH_MS = 250;

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      // pid tells the workers of one gateway apart (LLM_EDGE_WORKERS).
      base: { service: 'llm-edge-agent', pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? bufferedStdout(),
  );
}

/** Stdout, buffered; pino flushes what is left when the process exits. */
function bufferedStdout() {
  const stdout = pino.destination({ sync: false, minLength: BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      stdout.flush();
    } catch {
      // closing at exit: pino's exit handler writes what is left
    }
  }, FLUSH_MS);
  timer.unref();
  stdout.once('close', () => clearInterval(timer));
  return stdout;
}
