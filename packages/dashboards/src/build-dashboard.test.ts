import { describe, expect, it } from 'vitest';
import { buildDashboard } from './build-dashboard.js';
import { statPanel, timeSeriesPanel } from './panels.js';

const panel = () => statPanel({ title: 'Up', description: 'd', unit: 'short', queries: [{ expr: 'up', legend: 'up' }] });

describe('buildDashboard', () => {
  it('numbers panels by position', () => {
    const model = buildDashboard({ uid: 'x', title: 'X', description: 'd', fileName: 'x.json', panels: [panel(), panel()] });
    expect(model.panels?.map((p) => ('id' in p ? p.id : undefined))).toEqual([1, 2]);
  });

  it('names the field that is wrong', () => {
    const base = { title: 'X', description: 'd', fileName: 'x.json', panels: [panel()] };
    expect(() => buildDashboard({ ...base, uid: 'has space' })).toThrow(/uid "has space"/);
    expect(() => buildDashboard({ ...base, uid: 'a'.repeat(41) })).toThrow(/uid/);
    expect(() => buildDashboard({ ...base, uid: 'x', fileName: 'X.yaml' })).toThrow(/fileName "X.yaml"/);
    expect(() => buildDashboard({ ...base, uid: 'x', panels: [] })).toThrow(/panels must not be empty/);
  });
});

describe('panels', () => {
  it('refuse a panel without queries or with an impossible size, naming it', () => {
    expect(() => timeSeriesPanel({ title: 'Empty', description: 'd', unit: 's', queries: [] })).toThrow(/panel "Empty": queries/);
    expect(() =>
      timeSeriesPanel({ title: 'Wide', description: 'd', unit: 's', queries: [{ expr: 'up', legend: 'up' }], width: 30 }),
    ).toThrow(/panel "Wide": width/);
  });
});
