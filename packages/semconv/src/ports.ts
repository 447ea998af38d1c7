/** Ports every part of the stack agrees on (SEED.md's access URLs, DESIGN.md's interfaces). */
export const Ports = {
  gateway: 8080,
  gatewayMetrics: 9090,
  prometheus: 9090,
  /** Prometheus on a single host, where the gateway's metrics already hold 9090. */
  prometheusHost: 9091,
  grafana: 3000,
  jaegerUi: 16686,
  otlpGrpc: 4317,
  otlpHttp: 4318,
  jaegerHealth: 13133,
  jaegerMetrics: 8888,
  redis: 6379,
  redisBus: 16379,
  redisExporter: 9121,
  redisCommander: 8081,
  alertmanager: 9093,
} as const;
