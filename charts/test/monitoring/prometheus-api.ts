/**
 * The parts of Prometheus's HTTP API (v1) the end-to-end test reads, typed as far as it uses them,
 * and `eventually`, which polls a check until it passes or a deadline ends (never a fixed sleep).
 */

export interface Sample {
  readonly metric: Record<string, string>;
  /** [unix seconds, value as text]; Prometheus writes NaN and ±Inf as "NaN", "+Inf", "-Inf". */
  readonly value: [number, string];
}

export interface QueryResult {
  readonly status: 'success' | 'error';
  readonly errorType?: string;
  readonly error?: string;
  readonly warnings?: string[];
  readonly data?: { readonly resultType: string; readonly result: Sample[] | [number, string] };
}

export interface Target {
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface Rule {
  readonly name: string;
  readonly type: 'alerting' | 'recording';
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
  readonly state?: 'inactive' | 'pending' | 'firing';
  readonly duration?: number;
}

export interface RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly rules: Rule[];
}

export interface ActiveAlert {
  readonly labels: Record<string, string> & { alertname: string };
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  /** An instant query at the server's current time. Returns the API's answer as it is, errors included. */
  async query(expr: string): Promise<QueryResult> {
    const res = await fetch(`${this.baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
    });
    return (await res.json()) as QueryResult;
  }

  async targets(): Promise<Target[]> {
    return (await this.get<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
  }

  async ruleGroups(): Promise<RuleGroup[]> {
    return (await this.get<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
  }

  /** Alerts that are pending or firing right now. */
  async alerts(): Promise<ActiveAlert[]> {
    return (await this.get<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(this.baseUrl + path);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`GET ${path}: ${body.status} ${body.error ?? ''}`);
    return body.data;
  }
}

/** The vector of an instant query, or [] for a scalar, a string or an error. */
export function vectorOf(r: QueryResult): Sample[] {
  const result = r.data?.result;
  return r.data?.resultType === 'vector' && Array.isArray(result) ? (result as Sample[]) : [];
}

/**
 * Runs `check` until it returns `{ ok: true }` or `timeoutMs` ends; then throws with the last
 * `detail`, so a failure says what was last seen rather than only "timed out". `signal` stops
 * the polling early (when something else already failed the test).
 * @example
 * await eventually('gateway target up', async () => ({ ok: (await api.targets()).some((t) => t.health === 'up') }));
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<{ ok: boolean; value?: T; detail?: string }>,
  { timeoutMs = 60_000, intervalMs = 500, signal }: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let detail = '';
  for (;;) {
    if (signal?.aborted) throw new Error(`stopped waiting for ${what}${detail ? `; last seen: ${detail}` : ''}`);
    try {
      const r = await check();
      if (r.ok) return r.value;
      detail = r.detail ?? '';
    } catch (err) {
      detail = `threw: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `; last seen: ${detail}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
