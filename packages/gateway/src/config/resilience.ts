/**
 * Resilience settings: retries, circuit breakers and the retry budget. Per-attempt timeouts
 * live with each provider (`providers.<name>.timeouts`); per-key limits with each key.
 */
import { z } from 'zod';

export const ResilienceSchema = z.object({}).strict();
export type ResilienceConfig = z.infer<typeof ResilienceSchema>;
