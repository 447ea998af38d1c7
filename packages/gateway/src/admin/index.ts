/**
 * The read-only admin API, on the metrics listener only (never the public port), behind
 * `Authorization: Bearer <LLM_EDGE_ADMIN_KEY>`: keys and teams with their limits, budgets,
 * spend in the current period, what is left and when it resets. Never a key or its hash.
 * Spend comes from the shared counters, so any replica answers the same.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth/api-keys.js';
import type { BudgetState, Governance } from '../governance/governor.js';
import { sha256 } from '../http/sha256.js';

export interface AdminSources {
  /** The configured callers, as of the config in force. */
  callers(): readonly Caller[];
  teams(): ReadonlyArray<{ id: string }>;
  readonly governance: Governance;
}

/**
 * Answers `/admin/*` on the metrics listener.
 * @returns false when the path is not the admin API's (the caller answers it)
 */
export function serveAdmin(adminKey: string | undefined, sources: AdminSources, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0]!;
  if (!adminKey || !path.startsWith('/admin/')) return false;
  if (!authorized(adminKey, req.headers.authorization)) {
    send(res, 401, { error: { message: 'Send the admin key as "Authorization: Bearer <LLM_EDGE_ADMIN_KEY>".', type: 'authentication_error' } });
    return true;
  }
  if (req.method !== 'GET') {
    send(res, 405, { error: { message: 'The admin API is read-only: use GET.', type: 'invalid_request_error' } }, { allow: 'GET' });
    return true;
  }
  answer(sources, path).then(
    ({ status, body }) => send(res, status, body),
    () => send(res, 500, { error: { message: 'The admin API failed to read the budgets.', type: 'api_error' } }),
  );
  return true;
}

async function answer(sources: AdminSources, path: string): Promise<{ status: number; body: unknown }> {
  if (path === '/admin/keys') {
    const callers = sources.callers();
    const states = await sources.governance.states(callers);
    return { status: 200, body: { keys: callers.map((c) => keyEntry(c, states)) } };
  }
  const one = /^\/admin\/keys\/([^/]+)$/.exec(path);
  if (one) {
    const id = decodeURIComponent(one[1]!);
    const caller = sources.callers().find((c) => c.keyId === id);
    if (!caller) return notFound(`No key with id '${id}'.`);
    return { status: 200, body: keyEntry(caller, await sources.governance.states([caller])) };
  }
  if (path === '/admin/teams') {
    const { teams: states } = await sources.governance.states([]);
    return { status: 200, body: { teams: sources.teams().map((t) => budgetEntry({ id: t.id }, states.get(t.id))) } };
  }
  return notFound(`Unknown admin path ${path}.`);
}

type States = Awaited<ReturnType<Governance['states']>>;

function keyEntry(caller: Caller, states: States) {
  const own = states.keys.get(caller.keyId)?.find((s) => s.scope === 'key');
  const team = caller.team ? states.teams.get(caller.team) : undefined;
  const entry = budgetEntry({ id: caller.keyId, team: caller.team ?? null, models: caller.modelPatterns ?? null, limits: caller.limits }, own);
  // What the key can still spend is the tighter of its own budget and its team's.
  const remaining = [own, team].filter((s): s is BudgetState => s !== undefined).map((s) => s.remainingUsd);
  return { ...entry, remaining_usd: remaining.length > 0 ? Math.min(...remaining) : null };
}

function budgetEntry<T extends object>(head: T, state: BudgetState | undefined) {
  return {
    ...head,
    budget: state ? { usd: state.budget.usd, period: state.budget.period } : null,
    spend_usd: state ? state.spendUsd : null,
    remaining_usd: state ? state.remainingUsd : null,
    resets_at: state?.resetsAt ? state.resetsAt.toISOString() : null,
  };
}

function notFound(message: string) {
  return { status: 404, body: { error: { message, type: 'not_found_error' } } };
}

/** Constant-time comparison of the presented bearer key with the configured one. */
function authorized(adminKey: string, header: string | undefined): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  return presented !== undefined && timingSafeEqual(sha256(presented), sha256(adminKey));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers }).end(text);
}
