import { ALERT_NAMES, defaultAlertConfig, forOf } from '@llm-edge/monitoring';
import { knownSeriesNames } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import {
  DATASOURCE_VARIABLE,
  PROMETHEUS_DATASOURCE_UID,
  dashboardQueries,
  renderDashboards,
  seriesNamesIn,
  toPrometheusQuery,
} from '../src/index.js';
import { promtool, recordingRules } from './promtool.js';

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; legendFormat?: string; datasource?: { uid: string } }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
  options?: { legend?: { showLegend: boolean } };
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: { name: string; type: string; query: string; current?: { value: string } }[] };
}

const rendered = renderDashboards();
const parsed = rendered.map((d) => ({ ...d, model: JSON.parse(d.json) as DashboardJson }));

function panel(uid: string, title: string): PanelJson {
  const found = parsed.find((d) => d.uid === uid)?.model.panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel "${title}" in ${uid}`);
  return found;
}

describe('renderDashboards', () => {
  it('renders the five dashboards of DESIGN.md, in order, with stable uids and file names', () => {
    expect(rendered.map((d) => [d.uid, d.fileName, d.title])).toEqual([
      ['llm-edge-request-overview', 'request-overview.json', 'LLM Edge Agent / Request Overview'],
      ['llm-edge-cache-performance', 'cache-performance.json', 'LLM Edge Agent / Cache Performance'],
      ['llm-edge-cost-analytics', 'cost-analytics.json', 'LLM Edge Agent / Cost Analytics'],
      ['llm-edge-system-health', 'system-health.json', 'LLM Edge Agent / System Health'],
      ['llm-edge-provider-metrics', 'provider-metrics.json', 'LLM Edge Agent / Provider Metrics'],
    ]);
    expect(new Set(rendered.map((d) => d.uid)).size).toBe(5);
    for (const d of parsed) {
      expect(d.model.uid).toBe(d.uid);
      expect(d.model.title).toBe(d.title);
    }
  });

  it('renders the same bytes every time, pretty-printed with a trailing newline', () => {
    const again = renderDashboards();
    expect(again.map((d) => d.json)).toEqual(rendered.map((d) => d.json));
    for (const d of rendered) {
      expect(d.json.endsWith('}\n')).toBe(true);
      expect(d.json).toBe(`${JSON.stringify(JSON.parse(d.json), null, 2)}\n`);
    }
  });

  it('gives every dashboard a Prometheus datasource variable defaulting to the provisioned uid', () => {
    for (const d of parsed) {
      const variable = d.model.templating.list.find((v) => v.name === DATASOURCE_VARIABLE);
      expect(variable, d.uid).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: PROMETHEUS_DATASOURCE_UID } });
    }
  });

  it('gives every panel a unique id, a place on the grid, the datasource variable, targets and a unit', () => {
    for (const d of parsed) {
      expect(d.model.panels.length, d.uid).toBeGreaterThanOrEqual(8);
      expect(new Set(d.model.panels.map((p) => p.id)).size, d.uid).toBe(d.model.panels.length);
      for (const p of d.model.panels) {
        const where = `${d.uid} / ${p.title}`;
        expect(p.gridPos.x + p.gridPos.w, where).toBeLessThanOrEqual(24);
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets?.length, where).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          expect(t.expr, where).not.toBe('');
          expect(t.legendFormat, where).toBeTruthy();
          expect(t.datasource?.uid, where).toBe('${datasource}');
        }
        expect(new Set(p.targets?.map((t) => t.refId)).size, where).toBe(p.targets?.length);
        expect(p.fieldConfig?.defaults?.unit, where).toMatch(/^(reqps|ops|percentunit|s|bytes|short|currencyUSD|none)$/);
        if (p.type === 'timeseries') expect(p.options?.legend?.showLegend, where).toBe(true);
      }
    }
  });

  it('lays panels out without overlap', () => {
    for (const d of parsed) {
      const taken = new Set<string>();
      for (const p of d.model.panels) {
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            const cell = `${x},${y}`;
            expect(taken.has(cell), `${d.uid} / ${p.title} overlaps at ${cell}`).toBe(false);
            taken.add(cell);
          }
        }
      }
    }
  });

  it('draws the alert thresholds on the panels that watch them', () => {
    const limit = (uid: string, title: string) =>
      panel(uid, title).fieldConfig?.defaults?.thresholds?.steps.map((s) => [s.value, s.color]);
    const above = (v: number) => [[null, 'green'], [v, 'red']];
    const below = (v: number) => [[null, 'red'], [v, 'green']];
    const ro = 'llm-edge-request-overview';
    expect(limit(ro, 'Error ratio (5xx)')).toEqual(above(defaultAlertConfig.errorRatio));
    expect(limit(ro, 'Error ratio')).toEqual(above(0.01));
    expect(limit(ro, 'p95 latency')).toEqual(above(2));
    expect(limit(ro, 'Request latency')).toEqual(above(2));
    expect(limit(ro, 'Cache hit ratio')).toEqual(below(0.6));
    expect(limit('llm-edge-cache-performance', 'Cache hit ratio')).toEqual(below(0.6));
    expect(limit('llm-edge-cache-performance', 'Hit ratio per tier')).toEqual(below(0.6));
    expect(limit('llm-edge-system-health', 'Memory')).toEqual(above(3.5e9));
    expect(limit('llm-edge-system-health', 'CPU usage')).toEqual(above(0.8));
    expect(limit('llm-edge-system-health', 'Connections')).toEqual(above(900));
    expect(limit('llm-edge-system-health', 'Open connections, busiest instance')).toEqual(above(900));
    expect(limit('llm-edge-cost-analytics', 'Spend, last 24 hours')).toEqual(above(100));
    expect(limit('llm-edge-cost-analytics', 'Rolling 24-hour spend')).toEqual(above(100));
    expect(limit('llm-edge-cost-analytics', 'Spend growth vs yesterday')).toEqual(above(1.5));
    expect(limit('llm-edge-cost-analytics', 'Budget used per key')).toEqual(above(defaultAlertConfig.budgetSpendRatio));
    expect(limit('llm-edge-cost-analytics', 'Budget used per team')).toEqual(above(0.8));
  });

  it('shows spend against budget per key and per team, refusals and config reloads on Cost Analytics', () => {
    const exprOf = (title: string) => panel('llm-edge-cost-analytics', title).targets?.map((t) => t.expr);
    expect(exprOf('Budget used per key')).toEqual([
      'max by (scope, id) (llm_edge_budget_spend_usd{job="llm-edge-agent", scope="key"}) / (max by (scope, id) (llm_edge_budget_usd{job="llm-edge-agent", scope="key"}) > 0)',
    ]);
    expect(exprOf('Budget used per team')?.[0]).toContain('scope="team"');
    expect(exprOf('Spend against budget')).toEqual([
      'max by (scope, id) (llm_edge_budget_spend_usd{job="llm-edge-agent"})',
      'max by (scope, id) (llm_edge_budget_usd{job="llm-edge-agent"})',
    ]);
    expect(exprOf('Budget remaining')).toEqual(['min by (scope, id) (llm_edge_budget_remaining_usd{job="llm-edge-agent"})']);
    expect(exprOf('Budget refusals')).toEqual(['sum by (scope, id) (rate(llm_edge_budget_refusals_total{job="llm-edge-agent"}[$__rate_interval]))']);
    expect(exprOf('Config reloads')).toEqual(['sum by (result) (llm_edge_config_reloads_total{job="llm-edge-agent"})']);
  });
});

describe('dashboardQueries', () => {
  const queries = dashboardQueries();

  it('lists every target of every panel, with its dashboard and panel', () => {
    const targets = parsed.flatMap((d) => d.model.panels.flatMap((p) => (p.targets ?? []).map((t) => [d.uid, p.title, t.expr])));
    expect(queries.map((q) => [q.dashboardUid, q.panelTitle, q.expr])).toEqual(targets);
  });

  it('selects gateway series by the gateway job', () => {
    const gatewayQueries = queries.filter((q) => /llm_edge_/.test(q.expr));
    expect(gatewayQueries.length).toBeGreaterThan(50);
    for (const q of gatewayQueries) {
      expect(q.expr, q.panelTitle).toContain('job="llm-edge-agent"');
    }
  });

  it('names only series of the telemetry contract', () => {
    const known = knownSeriesNames();
    const used = new Set<string>();
    for (const q of queries) {
      const names = seriesNamesIn(q.expr);
      expect(names.length, `${q.panelTitle}: ${q.expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(known.has(name), `${q.dashboardUid} / ${q.panelTitle}: ${name} is not in semconv`).toBe(true);
        used.add(name);
      }
    }
    // The dashboards between them show every cost, cache and provider metric of the contract.
    for (const name of ['llm_edge_cost_usd_total', 'llm_edge_cache_savings_usd_total', 'llm_edge_circuit_breaker_state',
      'llm_edge_fallbacks_total', 'llm_edge_retries_total', 'llm_edge_cache_evictions_total', 'llm_edge_budget_usd',
      'llm_edge_budget_spend_usd', 'llm_edge_budget_remaining_usd', 'llm_edge_budget_refusals_total', 'llm_edge_config_reloads_total']) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it('are valid PromQL once Grafana variables are replaced (promtool check rules)', () => {
    const exprs = queries.map((q) => toPrometheusQuery(q.expr));
    for (const expr of exprs) expect(expr).not.toContain('$');
    const result = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': recordingRules(exprs) });
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('would be caught by promtool if one were not valid PromQL', () => {
    const result = promtool(['check', 'rules', 'rules.yml'], {
      'rules.yml': recordingRules(['sum(rate(llm_edge_requests_total[1m])', 'histogram_quantil(0.9, x)']),
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unclosed|unexpected|parse error/i);
  });

  it("quotes each alert's own `for` wherever a panel says when the alert fires", () => {
    const quoted = parsed.flatMap((d) => d.model.panels.map((p) => (p as { description?: string }).description ?? ''));
    let checked = 0;
    for (const text of quoted) {
      for (const name of ALERT_NAMES) {
        if (!new RegExp(`\\b${name} fires\\b`).test(text)) continue;
        expect(text, text).toMatch(new RegExp(` for ${forOf(defaultAlertConfig, name)}( |\\.|$)`));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
