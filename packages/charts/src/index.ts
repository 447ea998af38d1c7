/** cdk8s constructs and config renderers for LLM Edge Agent's platform (DESIGN.md, "Charts"). */
export * from './images.js';
export * from './labels.js';
export * from './redis-config.js';
export * from './redis-cluster.js';
export * from './prometheus-config.js';
export * from './jaeger-config.js';
export * from './grafana-provisioning.js';
export { computeResources } from './resources.js';
export type { NetworkedComponent } from './network.js';
export * from './jaeger-all-in-one.js';
export * from './prometheus-stack.js';
export * from './grafana-stack.js';
export * from './edge-agent.js';
