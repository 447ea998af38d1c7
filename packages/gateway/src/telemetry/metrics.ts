/**
 * The gateway's Prometheus metrics, registered from the semconv contract so their names, types,
 * labels and buckets cannot drift from the alerts and dashboards that query them.
 */
import { allMetrics, Metrics, type MetricDef, type MetricKey } from '@llm-edge/semconv';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type Instrument = Counter<string> | Gauge<string> | Histogram<string>;

type InstrumentOf<K extends MetricKey> = (typeof Metrics)[K]['type'] extends 'counter'
  ? Counter<string>
  : (typeof Metrics)[K]['type'] extends 'gauge'
    ? Gauge<string>
    : Histogram<string>;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly instruments = new Map<string, Instrument>();

  constructor({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
    for (const def of allMetrics) this.instruments.set(def.name, this.create(def));
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The instrument of one contract metric, typed by its kind. */
  get<K extends MetricKey>(key: K): InstrumentOf<K> {
    return this.instruments.get(Metrics[key].name) as InstrumentOf<K>;
  }

  /** The exposition text for `GET /metrics`. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private create(def: MetricDef): Instrument {
    const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [this.registry] };
    switch (def.type) {
      case 'counter':
        return new Counter(common);
      case 'gauge':
        return new Gauge(common);
      case 'histogram':
        return new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
    }
  }
}
