/** LLM Edge Agent's gateway as a library: configuration, start-up and the parts tests reuse. */
export { loadConfig, ConfigError } from './config/load.js';
export { ConfigSchema, type GatewayConfig, type ConfigInput } from './config/schema.js';
export { startGateway, type RunningGateway } from './server.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export { GatewayError } from './http/errors.js';
export { watchConfig, type ConfigReloader } from './config/reload.js';
