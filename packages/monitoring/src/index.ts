/**
 * @llm-edge/monitoring: the vocabulary `@llm-edge/alerts` and `@llm-edge/dashboards` share, so an
 * alert and the panel that shows its condition are built from one definition.
 */
export * from './alert-names.js';
export * from './config.js';
export * from './dashboards.js';
export * from './duration.js';
export * from './format.js';
export * from './measures.js';
export * from './promql.js';
