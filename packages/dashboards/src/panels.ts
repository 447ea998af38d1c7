/**
 * Panel factories on top of the Grafana Foundation SDK builders. They fix what every panel of the
 * five dashboards shares (the `${datasource}` variable, a unit, thresholds, legends, tooltips) so a
 * dashboard file lists only what differs: title, description, unit, queries and alert thresholds.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Name of the dashboards' datasource template variable. */
export const DATASOURCE_VARIABLE = 'datasource';
/** Every panel and query reads from whatever Prometheus the `datasource` variable selects. */
export const PANEL_DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** The Grafana units the dashboards use (Grafana's unit ids). */
export type Unit =
  | 'reqps' // requests per second
  | 'ops' // operations (lookups, evictions, retries) per second
  | 'percentunit' // a ratio 0..1 shown as a percentage
  | 's'
  | 'bytes'
  | 'short' // a plain count
  | 'currencyUSD'
  | 'none'; // state values shown through value mappings

export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{provider}}`. */
  readonly legend: string;
  /** Ask for one value at the end of the range instead of a series (bar gauges of totals). */
  readonly instant?: boolean;
}

export type Steps = readonly dashboard.Threshold[];

/** No alert on this panel: one base colour. */
export const noThreshold: Steps = [{ value: null, color: 'green' }];
/** Red at and above an alert's limit. */
export const redAbove = (limit: number): Steps => [
  { value: null, color: 'green' },
  { value: limit, color: 'red' },
];
/** Red below an alert's limit (cache hit ratio, healthy counts). */
export const redBelow = (limit: number): Steps => [
  { value: null, color: 'red' },
  { value: limit, color: 'green' },
];

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly queries: readonly Query[];
  /** Colour steps; pass `redAbove`/`redBelow` with an alert's limit to draw it. @default noThreshold */
  readonly thresholds?: Steps;
  readonly min?: number;
  readonly max?: number;
  /** Grid columns out of 24. @default 12 (time series), 6 (stat) */
  readonly width?: number;
  /** Grid rows. @default 8 (time series), 4 (stat) */
  readonly height?: number;
}

/** What a dashboard needs from a panel builder: build it, and number it. */
export interface PanelBuilder extends cog.Builder<dashboard.Panel> {
  id(id: number): this;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(spec: PanelSpec): prometheus.DataqueryBuilder[] {
  if (spec.queries.length === 0) throw new Error(`panel "${spec.title}": queries must not be empty`);
  if (spec.queries.length > REF_IDS.length) throw new Error(`panel "${spec.title}": at most ${REF_IDS.length} queries`);
  return spec.queries.map((q, i) => {
    const target = new prometheus.DataqueryBuilder()
      .datasource(PANEL_DATASOURCE)
      .refId(REF_IDS.charAt(i))
      .expr(q.expr)
      .legendFormat(q.legend);
    return q.instant === true ? target.instant() : target.range();
  });
}

function thresholdsOf(spec: PanelSpec): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([...(spec.thresholds ?? noThreshold)]);
}

function checkSize(spec: PanelSpec): void {
  for (const [field, value] of [['width', spec.width], ['height', spec.height]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 24)) {
      throw new Error(`panel "${spec.title}": ${field} must be an integer from 1 to 24, got ${value}`);
    }
  }
}

/** The builder methods every panel kind here shares (each returns the builder). */
interface CommonPanel<T> {
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: common.DataSourceRef): T;
  targets(targets: cog.Builder<cog.Dataquery>[]): T;
  unit(unit: string): T;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): T;
  span(w: number): T;
  height(h: number): T;
  min(min: number): T;
  max(max: number): T;
}

/** Checks the spec and sets what every panel has: title, description, queries, unit, thresholds. */
function begin<T extends CommonPanel<T>>(panel: T, spec: PanelSpec): T {
  checkSize(spec);
  return panel.title(spec.title).description(spec.description).datasource(PANEL_DATASOURCE).targets(targets(spec)).unit(spec.unit).thresholds(thresholdsOf(spec));
}

/** Sets the panel's size (or the kind's default) and its value range, when the spec has one. */
function finish<T extends CommonPanel<T>>(panel: T, spec: PanelSpec, size: { readonly width: number; readonly height: number }): T {
  panel.span(spec.width ?? size.width).height(spec.height ?? size.height);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** A line chart; an alert limit, when given, is drawn as a dashed line. */
export function timeSeriesPanel(spec: PanelSpec): PanelBuilder {
  const panel = begin(new timeseries.PanelBuilder(), spec)
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(
        spec.thresholds === undefined ? common.GraphThresholdsStyleMode.Off : common.GraphThresholdsStyleMode.Dashed,
      ),
    )
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  return finish(panel, spec, { width: 12, height: 8 });
}

/** One big number (the last value), coloured by its thresholds, with a sparkline. */
export function statPanel(spec: PanelSpec & { readonly mappings?: dashboard.ValueMapping[] }): PanelBuilder {
  const panel = begin(new stat.PanelBuilder(), spec)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  finish(panel, spec, { width: 6, height: 4 });
  if (spec.mappings !== undefined) panel.mappings(spec.mappings);
  return panel;
}

/** Discrete states over time (health, breaker state), named and coloured by value mappings. */
export function stateTimelinePanel(spec: PanelSpec & { readonly mappings: dashboard.ValueMapping[] }): PanelBuilder {
  const panel = begin(new statetimeline.PanelBuilder(), spec)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .mappings(spec.mappings)
    .showValue(common.VisibilityMode.Auto)
    .mergeValues(true)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
  return finish(panel, spec, { width: 12, height: 8 });
}

/** Horizontal bars, one per series, for totals over the selected range. */
export function barGaugePanel(spec: PanelSpec): PanelBuilder {
  const panel = begin(new bargauge.PanelBuilder(), spec)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .orientation(common.VizOrientation.Horizontal)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  return finish(panel, spec, { width: 12, height: 8 });
}

/** Value mappings from numeric states to names and colours. */
export function stateNames(states: readonly { value: number; text: string; color: string }[]): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  states.forEach((s, index) => {
    options[String(s.value)] = { text: s.text, color: s.color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}
