/**
 * The order in which a request tries a route's targets: the primary targets ordered by the
 * route's strategy, then the fallback chain in its configured order. Health is not decided
 * here: each target's breaker is asked when its turn comes, so a breaker that opens during the
 * request is honoured.
 */
import type { Route, Target } from '../routing/router.js';
import type { LatencyTracker } from './latency.js';

export interface StrategyInputs {
  readonly random?: () => number;
  readonly latency?: LatencyTracker;
}

/** Primary targets in strategy order, then the fallback chain (a target listed twice is tried once). */
export function orderTargets(route: Route, { random = Math.random, latency }: StrategyInputs = {}): Target[] {
  let primary: Target[];
  switch (route.strategy) {
    case 'weighted':
      primary = weightedOrder(route.targets, random);
      break;
    case 'least-latency':
      primary = latency ? leastLatencyOrder(route.targets, latency) : [...route.targets];
      break;
    default:
      primary = [...route.targets];
  }
  const seen = new Set<string>();
  return [...primary, ...route.fallbacks].filter((t) => !seen.has(t.id) && seen.add(t.id));
}

/** Weighted choice without replacement: the first pick by weight, then the rest by weight too. */
export function weightedOrder(targets: readonly Target[], random: () => number): Target[] {
  const pool = [...targets];
  const out: Target[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let r = random() * total;
    let i = 0;
    while (i < pool.length - 1 && (r -= pool[i]!.weight) >= 0) i++;
    out.push(pool.splice(i, 1)[0]!);
  }
  return out;
}

/** Untried targets first (in config order, so each gets measured), then the lowest average latency. */
export function leastLatencyOrder(targets: readonly Target[], latency: LatencyTracker): Target[] {
  const scored = targets.map((target, index) => ({ target, index, score: latency.score(target.id) }));
  scored.sort((a, b) => {
    if (a.score === undefined || b.score === undefined) {
      if (a.score === b.score) return a.index - b.index;
      return a.score === undefined ? -1 : 1;
    }
    return a.score - b.score || a.index - b.index;
  });
  return scored.map((s) => s.target);
}
