/**
 * Structured JSON logs with pino: one access line per request plus lifecycle events. Secrets and
 * bodies are never handed to the logger (a test searches every line for them), so no redaction
 * pass runs per line; `time` is epoch milliseconds, pino's cheapest clock.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'llm-edge-agent' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
