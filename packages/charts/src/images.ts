/**
 * Upstream images, pinned to a release (never `latest`), so a synth today and a synth next year
 * deploy the same bits. Bump them here; every construct and the compose file read this table.
 */
export const Images = {
  gateway: 'ghcr.io/llm-edge-agent/gateway:0.1.0',
  redis: 'redis:7.4.2',
  redisExporter: 'oliver006/redis_exporter:v1.62.0',
  prometheus: 'prom/prometheus:v2.55.1',
  alertmanager: 'prom/alertmanager:v0.27.0',
  grafana: 'grafana/grafana:11.3.0',
  jaeger: 'jaegertracing/jaeger:2.4.0',
  redisCommander: 'ghcr.io/joeferner/redis-commander:0.9.0',
} as const;

/** User ids the upstream images are built for (their Dockerfiles' USER), used for runAsUser. */
export const ImageUsers = {
  gateway: 10001,
  redis: 999,
  redisExporter: 59000,
  prometheus: 65534,
  alertmanager: 65534,
  grafana: 472,
  jaeger: 10001,
} as const;
