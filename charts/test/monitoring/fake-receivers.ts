/**
 * Fake Slack and PagerDuty for the alerting end-to-end test: real HTTP servers on free loopback
 * ports that Alertmanager's own notifiers post to. Each records what it received and checks the
 * shape its real counterpart requires (a Slack incoming-webhook message; a PagerDuty Events API v2
 * event with a valid routing key, action, dedup key and payload), answering as the real service
 * does, or with 400 and a recorded problem, so a malformed notification fails the test.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { HOST } from './loopback-server.js';

/** One Slack message as Alertmanager's slack notifier sends it (the fields the test reads). */
export interface SlackMessage {
  readonly channel: string;
  readonly title: string;
  readonly text: string;
  /** `firing` or `resolved`, from the title's `[FIRING:n]` / `[RESOLVED]`. */
  readonly status: 'firing' | 'resolved';
}

/** One PagerDuty Events API v2 event (the fields the test reads). */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'acknowledge' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly custom_details?: Record<string, unknown>;
  };
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text?: string }>;
}

export interface FakeReceiver<T> {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Everything accepted so far, in arrival order. */
  readonly received: T[];
  /** Requests refused for their shape, with the reason. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** The Slack incoming webhook: POST JSON with a channel and one attachment; answers `ok`. */
export function startFakeSlack(): Promise<FakeReceiver<SlackMessage>> {
  const received: SlackMessage[] = [];
  const problems: string[] = [];
  return listen(async (req, body) => {
    const problem = requestProblem(req, 'POST', '/services/fake/webhook');
    if (problem) return refuse(problems, problem);
    const msg = body as { channel?: unknown; attachments?: Array<{ title?: unknown; text?: unknown }> };
    const attachment = Array.isArray(msg.attachments) && msg.attachments.length === 1 ? msg.attachments[0] : undefined;
    if (typeof msg.channel !== 'string' || !msg.channel.startsWith('#')) return refuse(problems, `slack: no #channel in ${JSON.stringify(body)}`);
    if (typeof attachment?.title !== 'string' || typeof attachment.text !== 'string') {
      return refuse(problems, `slack: wants one attachment with a title and a text, got ${JSON.stringify(body)}`);
    }
    const status = /^\[FIRING:\d+\]/.test(attachment.title) ? 'firing' : /^\[RESOLVED\]/.test(attachment.title) ? 'resolved' : undefined;
    if (status === undefined) return refuse(problems, `slack: title ${JSON.stringify(attachment.title)} says neither FIRING nor RESOLVED`);
    received.push({ channel: msg.channel, title: attachment.title, text: attachment.text, status });
    return { status: 200, body: 'ok', type: 'text/plain' };
  }).then(({ url, close }) => ({ url: `${url}/services/fake/webhook`, received, problems, close }));
}

const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** The PagerDuty Events API v2 (`POST /v2/enqueue`); accepts only `routingKey`; answers 202. */
export function startFakePagerDuty({ routingKey }: { readonly routingKey: string }): Promise<FakeReceiver<PagerDutyEvent>> {
  const received: PagerDutyEvent[] = [];
  const problems: string[] = [];
  return listen(async (req, body) => {
    const problem = requestProblem(req, 'POST', '/v2/enqueue');
    if (problem) return refuse(problems, problem);
    const e = body as Partial<PagerDutyEvent>;
    if (e.routing_key !== routingKey) return refuse(problems, `pagerduty: routing_key ${JSON.stringify(e.routing_key)} is not the configured one`);
    if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action ?? '')) return refuse(problems, `pagerduty: event_action ${JSON.stringify(e.event_action)}`);
    if (typeof e.dedup_key !== 'string' || e.dedup_key === '' || e.dedup_key.length > 255) return refuse(problems, `pagerduty: dedup_key ${JSON.stringify(e.dedup_key)}`);
    if (e.event_action === 'trigger') {
      const p = e.payload;
      if (typeof p?.summary !== 'string' || p.summary === '' || p.summary.length > 1024) return refuse(problems, `pagerduty: payload.summary in ${JSON.stringify(body)}`);
      if (typeof p.source !== 'string' || p.source === '') return refuse(problems, `pagerduty: payload.source in ${JSON.stringify(body)}`);
      if (!PD_SEVERITIES.includes(p.severity)) return refuse(problems, `pagerduty: payload.severity ${JSON.stringify(p.severity)} is not one of ${PD_SEVERITIES.join(', ')}`);
    }
    received.push(e as PagerDutyEvent);
    return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: e.dedup_key }), type: 'application/json' };
  }).then(({ url, close }) => ({ url: `${url}/v2/enqueue`, received, problems, close }));
}

type Reply = { readonly status: number; readonly body: string; readonly type: string };

function requestProblem(req: IncomingMessage, method: string, path: string): string | undefined {
  if (req.method !== method || req.url !== path) return `${req.method} ${req.url}: wants ${method} ${path}`;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return `${req.url}: content-type ${req.headers['content-type']}`;
  return undefined;
}

function refuse(problems: string[], problem: string): Reply {
  problems.push(problem);
  return { status: 400, body: JSON.stringify({ status: 'invalid event', message: problem }), type: 'application/json' };
}

function listen(handle: (req: IncomingMessage, body: unknown) => Promise<Reply>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      void handle(req, body).then((r) => {
        res.writeHead(r.status, { 'content-type': r.type });
        res.end(r.body);
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://${HOST}:${port}`,
        close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
