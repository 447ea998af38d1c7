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

/** Gauges whose workers' values add up (each worker holds its own share). */
const SUMMED_GAUGES: ReadonlySet<string> = new Set([Metrics.inFlightRequests.name, Metrics.activeConnections.name]);

/** Distinct model label values kept before new ones are counted as `other`. */
const MAX_MODELS = 200;
/** Longest model label value: longer names (callers choose them) are counted as `other`. */
export const MAX_MODEL_LABEL_LENGTH = 128;

type ChildOf<K extends MetricKey> = (typeof Metrics)[K]['type'] extends 'counter' ? CounterTally : ReturnType<InstrumentOf<K>['labels']>;

/**
 * One counter series' increments, added up here and handed to prom-client when it collects
 * (every scrape, and every worker's answer to the aggregating primary). A prom-client `inc`
 * hashes the label set, checks it and returns a fresh object each time: a few hundred bytes
 * and a microsecond, six times a request.
 */
export class CounterTally {
  private pending = 0;
  private touched = false;

  constructor(private readonly series: { inc(value: number): void }) {}

  /** As prom-client's: a negative or non-finite amount throws here, at the caller. */
  inc(value = 1): void {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`a counter increment must be a finite number >= 0, got ${value}`);
    this.pending += value;
    this.touched = true;
  }

  /** Hands what was counted since the last collection to the series. */
  flush(): void {
    if (!this.touched) return;
    this.series.inc(this.pending);
    this.pending = 0;
    this.touched = false;
  }
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly instruments = new Map<string, Instrument>();
  /** Label children by metric and values: prom-client hashes label sets on every `labels()`. */
  private readonly children = new Map<string, unknown>();
  /** The counter tallies by metric name, flushed when that counter is collected. */
  private readonly tallies = new Map<string, CounterTally[]>();
  private readonly models = new Set<string>();

  constructor({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
    for (const def of allMetrics) this.instruments.set(def.name, this.create(def));
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The instrument of one contract metric, typed by its kind. */
  get<K extends MetricKey>(key: K): InstrumentOf<K> {
    return this.instruments.get(Metrics[key].name) as InstrumentOf<K>;
  }

  /**
   * The child of a labelled metric for these label values, made once and reused (label values
   * are bounded, so the memo is too). A counter's child is a CounterTally.
   */
  child<K extends MetricKey>(key: K, ...values: string[]): ChildOf<K> {
    const id = `${key}\u0000${values.join('\u0000')}`;
    let child = this.children.get(id);
    if (child === undefined) {
      const series = (this.get(key).labels as (...v: string[]) => { inc(value: number): void })(...values);
      child = Metrics[key].type === 'counter' ? this.tally(Metrics[key].name, series) : series;
      this.children.set(id, child);
    }
    return child as ChildOf<K>;
  }

  /**
   * A model name as a label value: callers choose model names, so after `MAX_MODELS` distinct
   * ones every new name is counted as `other`, as is a name longer than
   * `MAX_MODEL_LABEL_LENGTH`: both the series count and each series' size stay bounded.
   */
  modelLabel(model: string): string {
    if (this.models.has(model)) return model;
    if (this.models.size >= MAX_MODELS || model.length > MAX_MODEL_LABEL_LENGTH) return 'other';
    this.models.add(model);
    return model;
  }

  /** The exposition text for `GET /metrics`. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private tally(name: string, series: { inc(value: number): void }): CounterTally {
    const tally = new CounterTally(series);
    const list = this.tallies.get(name);
    if (list) list.push(tally);
    else this.tallies.set(name, [tally]);
    return tally;
  }

  private flush(name: string): void {
    for (const tally of this.tallies.get(name) ?? []) tally.flush();
  }

  private create(def: MetricDef): Instrument {
    // With several workers, /metrics adds their series up; a gauge that every worker reads from
    // the same source (health, breaker state, L2, budgets) takes the largest instead.
    const aggregator = def.type === 'gauge' && !SUMMED_GAUGES.has(def.name) ? ('max' as const) : ('sum' as const);
    const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [this.registry], aggregator };
    switch (def.type) {
      case 'counter':
        return new Counter({ ...common, collect: () => this.flush(def.name) });
      case 'gauge':
        return new Gauge(common);
      case 'histogram':
        return new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
    }
  }
}
