/** The telemetry contract of LLM Edge Agent (DESIGN.md, "The telemetry contract"). */
export * from './metrics.js';
export * from './traces.js';
export * from './logs.js';
export * from './ports.js';
export * from './docs.js';
export * from './deployment.js';
