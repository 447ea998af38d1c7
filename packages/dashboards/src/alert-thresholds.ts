/**
 * The alert thresholds panels draw, from the one definition in `@llm-edge/semconv` that
 * `packages/alerts` also uses as its defaults.
 */
export { SeedThresholds as AlertThresholds } from '@llm-edge/semconv';
