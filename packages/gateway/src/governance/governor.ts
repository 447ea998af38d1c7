/**
 * Spend governance: which models a key may use, and budgets per key and per team that hold on
 * any number of replicas. Admission reserves a request's worst-case cost on the key's and its
 * team's counters in one atomic Redis script; settling replaces the reservation with the real
 * cost once the answer ended. So concurrent requests never spend past a budget, and while a
 * budget can afford a request it is served. With Redis down each replica counts locally
 * (`governance.redisDown: local`) or refuses budgeted requests (`deny`).
 */
import type { Budget, GovernanceConfig, TeamConfig } from '../config/governance.js';
import { GatewayError } from '../http/errors.js';
import type { RedisClient } from '../redis/client.js';
import { logThrottle } from '../redis/throttle.js';
import type { Logger } from '../telemetry/logger.js';
import { ModelAllowList } from './allow-list.js';
import { periodWindow, type PeriodWindow } from './periods.js';
import { LocalSpendStore, RedisSpendStore, type Counter, type SpendAnswer } from './spend-store.js';

const NANO = 1e9;

/** What governance knows of a caller (from `auth.keys[]`). */
export interface Governed {
  readonly keyId: string;
  readonly team?: string | undefined;
  readonly budget?: Budget | undefined;
  readonly models?: ModelAllowList | undefined;
}

/** One budget a request is counted against, for this period. */
interface Binding {
  readonly scope: 'key' | 'team';
  readonly id: string;
  readonly budget: Budget;
  readonly window: PeriodWindow;
  readonly counter: Counter;
}

/** Spend and what is left of one budget, as the admin API and the metrics report it. */
export interface BudgetState {
  readonly scope: 'key' | 'team';
  readonly id: string;
  readonly budget: Budget;
  readonly spendUsd: number;
  readonly remainingUsd: number;
  readonly resetsAt: Date | null;
}

/** A reservation held for one request until it settles. */
export interface Reservation {
  readonly bindings: readonly Binding[];
  /** What was reserved, nano-USD. */
  readonly nano: number;
  /** The tighter of the key's and the team's remaining, after the reservation (USD). */
  readonly remainingUsd: number;
}

export interface GovernanceOptions {
  readonly clock?: () => number;
  /** Called with each budget's state after every change this replica sees (for the gauges). */
  readonly onState?: (state: BudgetState) => void;
  readonly onRefusal?: (scope: 'key' | 'team', id: string) => void;
}

export class Governance {
  private teams = new Map<string, TeamConfig>();
  private readonly redisStore: RedisSpendStore | undefined;
  private readonly local = new LocalSpendStore();
  private readonly clock: () => number;
  private readonly warn = logThrottle();
  private fellBack = false;

  constructor(
    private readonly config: GovernanceConfig,
    teams: readonly TeamConfig[],
    redis: RedisClient | undefined,
    private readonly log: Logger,
    private readonly options: GovernanceOptions = {},
  ) {
    this.redisStore = redis ? new RedisSpendStore(redis) : undefined;
    this.clock = options.clock ?? Date.now;
    this.setTeams(teams);
  }

  /** Where the counters live right now, for `/ready`. */
  get state(): 'redis' | 'local' | 'local-fallback' | 'unavailable' {
    if (!this.redisStore) return 'local';
    if (!this.fellBack && this.redisStore.ready) return 'redis';
    return this.config.redisDown === 'deny' ? 'unavailable' : 'local-fallback';
  }

  /** New teams for new requests (config reload); spend already counted stays in the counters. */
  setTeams(teams: readonly TeamConfig[]): void {
    this.teams = new Map(teams.map((t) => [t.id, t]));
  }

  /** @throws GatewayError 403 when the key may not use `model` */
  checkModel(caller: Governed, model: string): void {
    if (caller.models && !caller.models.allows(model)) {
      throw new GatewayError(403, 'permission_error', `Key '${caller.keyId}' may not use the model '${model}'.`, 'model', 'model_not_allowed');
    }
  }

  /** True when a budget (the key's or its team's) applies to the caller. */
  budgeted(caller: Governed): boolean {
    // On every request: decided without building the counters.
    return caller.budget !== undefined || (caller.team !== undefined && this.teamBudget(caller.team) !== undefined);
  }

  /**
   * Reserves `usd` on every budget of the caller.
   * @returns the reservation, or undefined when no budget applies
   * @throws GatewayError 429 `budget_exceeded` when a budget cannot afford it; 503 when Redis is
   *   down and `redisDown` is `deny`
   */
  async reserve(caller: Governed, usd: number): Promise<Reservation | undefined> {
    const bindings = this.bindingsOf(caller);
    if (bindings.length === 0) return undefined;
    const nano = Math.ceil(Math.max(0, usd) * NANO);
    const answer = await this.call('reserve', bindings, nano);
    this.publish(bindings, answer.spent);
    if (!answer.ok) {
      const refusing = bindings.find((b, i) => answer.spent[i]! + nano > b.counter.limit) ?? bindings[0]!;
      this.options.onRefusal?.(refusing.scope, refusing.id);
      throw overBudget(refusing, remainingUsd(bindings, answer.spent));
    }
    return { bindings, nano, remainingUsd: remainingUsd(bindings, answer.spent) };
  }

  /**
   * Replaces a reservation with what the answer really cost (0 for an answer that cost nothing).
   * @returns the remaining budget after it (USD)
   */
  async settle(reservation: Reservation, actualUsd: number): Promise<number> {
    const delta = Math.ceil(Math.max(0, actualUsd) * NANO) - reservation.nano;
    if (delta === 0) return reservation.remainingUsd;
    try {
      const answer = await this.call('adjust', reservation.bindings, delta);
      this.publish(reservation.bindings, answer.spent);
      return remainingUsd(reservation.bindings, answer.spent);
    } catch {
      return reservation.remainingUsd; // deny mode with Redis down: nothing to settle against
    }
  }

  /** The caller's remaining budget (USD), or undefined when none applies. */
  async remaining(caller: Governed): Promise<number | undefined> {
    const bindings = this.bindingsOf(caller);
    if (bindings.length === 0) return undefined;
    try {
      const answer = await this.call('read', bindings, 0);
      return remainingUsd(bindings, answer.spent);
    } catch {
      return undefined;
    }
  }

  /** Every budget's state right now (the admin API reads the shared counters). */
  async states(callers: readonly Governed[]): Promise<{ keys: Map<string, BudgetState[]>; teams: Map<string, BudgetState> }> {
    const keys = new Map<string, BudgetState[]>();
    const teams = new Map<string, BudgetState>();
    for (const caller of callers) keys.set(caller.keyId, await this.statesOf(this.bindingsOf(caller)));
    for (const team of this.teams.values()) {
      const binding = this.teamBinding(team.id);
      if (binding) teams.set(team.id, (await this.statesOf([binding]))[0]!);
    }
    return { keys, teams };
  }

  private async statesOf(bindings: readonly Binding[]): Promise<BudgetState[]> {
    if (bindings.length === 0) return [];
    let spent: number[];
    try {
      spent = (await this.call('read', bindings, 0)).spent;
      this.publish(bindings, spent);
    } catch {
      spent = bindings.map(() => 0);
    }
    return bindings.map((b, i) => stateOf(b, spent[i]!));
  }

  private bindingsOf(caller: Governed): Binding[] {
    const out: Binding[] = [];
    const tag = caller.team ? `team:${caller.team}` : `key:${caller.keyId}`;
    if (caller.budget) out.push(this.binding('key', caller.keyId, caller.budget, tag));
    const team = caller.team ? this.teamBinding(caller.team) : undefined;
    if (team) out.push(team);
    return out;
  }

  private teamBudget(teamId: string): Budget | undefined {
    return this.teams.get(teamId)?.budget;
  }

  private teamBinding(teamId: string): Binding | undefined {
    const budget = this.teamBudget(teamId);
    return budget ? this.binding('team', teamId, budget, `team:${teamId}`) : undefined;
  }

  private binding(scope: 'key' | 'team', id: string, budget: Budget, tag: string): Binding {
    const window = periodWindow(budget.period, this.clock());
    // The hash tag puts a key's counter in its team's slot: one script reserves on both.
    const key = `${this.config.keyPrefix}{${tag.replace(/[{}]/g, '_')}}:${scope}:${id}:${window.id}`;
    return { scope, id, budget, window, counter: { key, limit: Math.round(budget.usd * NANO), ttlSeconds: window.ttlSeconds } };
  }

  /** One store call: Redis when it answers in time, else this replica's own counters (or none in deny mode). */
  private async call(mode: 'reserve' | 'adjust' | 'read', bindings: readonly Binding[], nano: number): Promise<SpendAnswer> {
    const counters = bindings.map((b) => b.counter);
    const store = this.redisStore;
    if (!store) return this.local.call(mode, counters, nano, false);
    try {
      if (!store.ready) throw new Error('redis is not connected');
      await this.flushPending(store);
      const answer = await bounded(store.call(mode, counters, nano), this.config.redisTimeoutMs);
      this.local.learn(counters, answer.spent);
      if (this.fellBack) {
        this.fellBack = false;
        this.log.info({ msg: 'budgets are shared through redis again' });
      }
      return answer;
    } catch (err) {
      this.fellBack = true;
      if (this.config.redisDown === 'deny') {
        this.warn((suppressed) => this.log.warn({ msg: 'budgeted requests refused: redis is unreachable', reason: (err as Error).message, suppressed }));
        throw new GatewayError(503, 'service_unavailable', 'Budgets cannot be checked right now; try again shortly.', null, 'budget_store_unavailable');
      }
      this.warn((suppressed) => this.log.warn({ msg: "budgets fall back to this replica's local counters", reason: (err as Error).message, suppressed }));
      return this.local.call(mode, counters, nano, mode !== 'read');
    }
  }

  /** Hands Redis what this replica counted while it was away. */
  private async flushPending(store: RedisSpendStore): Promise<void> {
    if (!this.local.hasPending) return;
    for (const { counter, delta } of this.local.takePending()) {
      try {
        await bounded(store.call('adjust', [counter], delta), this.config.redisTimeoutMs);
      } catch (err) {
        this.local.restore(counter, delta);
        throw err;
      }
    }
  }

  private publish(bindings: readonly Binding[], spent: readonly number[]): void {
    if (!this.options.onState) return;
    bindings.forEach((b, i) => this.options.onState!(stateOf(b, spent[i]!)));
  }
}

function stateOf(b: Binding, spentNano: number): BudgetState {
  return {
    scope: b.scope,
    id: b.id,
    budget: b.budget,
    spendUsd: spentNano / NANO,
    remainingUsd: Math.max(0, b.counter.limit - spentNano) / NANO,
    resetsAt: b.window.resetsAt,
  };
}

function remainingUsd(bindings: readonly Binding[], spent: readonly number[]): number {
  let least = Infinity;
  bindings.forEach((b, i) => (least = Math.min(least, Math.max(0, b.counter.limit - spent[i]!))));
  return least / NANO;
}

/** The 429 for a budget that cannot afford a request: no retry helps before it resets. */
function overBudget(b: Binding, remaining: number): GatewayError {
  const what = `${b.scope === 'key' ? 'Key' : 'Team'} '${b.id}' has reached its budget of $${b.budget.usd} per ${b.budget.period === 'total' ? 'lifetime' : b.budget.period}`;
  const headers: Record<string, string> = { 'x-should-retry': 'false', 'x-llm-edge-budget-remaining-usd': formatUsd(remaining) };
  const resetsAt = b.window.resetsAt;
  if (resetsAt) headers['retry-after'] = String(Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000)));
  const when = resetsAt ? `It resets at ${resetsAt.toISOString()}.` : 'A total budget does not reset.';
  return new GatewayError(429, 'rate_limit_error', `${what}: this request's worst-case cost does not fit. ${when}`, null, 'budget_exceeded', headers);
}

/** USD as a plain decimal, not rounded to cents (no exponent notation). */
export function formatUsd(usd: number): string {
  const fixed = Math.max(0, usd).toFixed(9);
  return fixed.replace(/\.?0+$/, '') || '0';
}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
