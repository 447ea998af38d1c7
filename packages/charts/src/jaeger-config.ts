/**
 * Jaeger v2's configuration (one YAML file, OpenTelemetry Collector style) and its sampling
 * strategies, shared by JaegerAllInOne and the compose stack.
 */
import { stringify } from 'yaml';
import { Ports } from '@llm-edge/semconv';

export interface JaegerConfigOptions {
  /** Where Badger keeps keys and values (the persistent volume). @default '/badger' */
  readonly dataDir?: string;
  /** How long spans are kept, as a Go duration. @default '168h' (7 days) */
  readonly spanTtl?: string;
  /** Path of the sampling strategies file served to SDKs that ask for remote sampling. */
  readonly samplingStrategiesFile: string;
}

/** Port of the remote sampling endpoint SDKs may poll. */
export const JAEGER_SAMPLING_PORT = 5778;

/** Renders Jaeger v2's `config.yaml`: OTLP in, Badger storage, query UI, health and metrics. */
export function renderJaegerConfig(o: JaegerConfigOptions): string {
  const dir = o.dataDir ?? '/badger';
  const ttl = o.spanTtl ?? '168h';
  if (!/^(\d+(h|m|s))+$/.test(ttl)) throw new Error(`renderJaegerConfig: spanTtl "${ttl}" is not a Go duration like "168h"`);
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'remote_sampling', 'healthcheckv2'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] },
      },
      telemetry: {
        resource: { 'service.name': 'jaeger' },
        metrics: {
          level: 'detailed',
          readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: Ports.jaegerMetrics } } } }],
        },
        logs: { level: 'info' },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `0.0.0.0:${Ports.jaegerHealth}` } },
      jaeger_query: {
        storage: { traces: 'badger_main' },
        http: { endpoint: `0.0.0.0:${Ports.jaegerUi}` },
      },
      jaeger_storage: {
        backends: {
          badger_main: {
            badger: {
              directories: { keys: `${dir}/keys`, values: `${dir}/values` },
              ephemeral: false,
              ttl: { spans: ttl },
            },
          },
        },
      },
      remote_sampling: {
        file: { path: o.samplingStrategiesFile },
        http: { endpoint: `0.0.0.0:${JAEGER_SAMPLING_PORT}` },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${Ports.otlpGrpc}` },
          http: { endpoint: `0.0.0.0:${Ports.otlpHttp}` },
        },
      },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'badger_main' } },
  };
  return '# Rendered by @llm-edge/charts renderJaegerConfig; do not edit by hand.\n' + stringify(config, { lineWidth: 0 });
}

/** Sampling strategies: probabilistic at `samplingRatio` for every service. */
export function renderSamplingStrategies(samplingRatio: number): string {
  assertRatio('samplingRatio', samplingRatio);
  return JSON.stringify({ default_strategy: { type: 'probabilistic', param: samplingRatio } }, null, 2) + '\n';
}

export function assertRatio(field: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new Error(`${field} must be between 0 and 1 (got ${value})`);
}
