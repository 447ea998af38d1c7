/**
 * `POST /v1/messages` (Anthropic Messages) on the pipeline: Claude targets take the caller's
 * body natively (`cache_control`, thinking, `anthropic-beta` survive); any other target gets it
 * translated. `POST /v1/messages/count_tokens`: Anthropic's count natively, else the estimate.
 */
import type { IncomingMessage } from 'node:http';
import { CacheStatus } from '@llm-edge/semconv';
import { messagesDialect, countTokensBody, type MessagesDecoded } from '../dialects/messages/index.js';
import { readBody } from '../http/body.js';
import { authenticate } from '../pipeline/authenticate.js';
import { decodeBody, type DecodedBody } from '../pipeline/decode.js';
import { answerHeaders, withProvider } from '../pipeline/headers.js';
import { NOTHING_YET, type Outcome } from '../pipeline/outcome.js';
import type { RequestTrace } from '../pipeline/request.js';
import type { Responder } from '../pipeline/responder.js';
import { answerError, type PipelineDeps } from '../pipeline/run.js';
import type { Target } from '../routing/router.js';
import { dialectEndpoint } from './dialect-completion.js';

interface MessagesRequest {
  readonly decoded: MessagesDecoded;
}

/** Caller headers Anthropic's API reads: passed on natively, and part of the cache key. */
const ANTHROPIC_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

const speaksMessages = (t: Target) => t.provider.nativeDialects?.includes('messages') === true && t.provider.native !== undefined;

export const messages = dialectEndpoint<MessagesRequest>({
  route: '/v1/messages',
  cacheEndpoint: 'messages',
  dialect: messagesDialect,
  nativePath: '/v1/messages',
  nativeHeaders: ANTHROPIC_HEADERS,
  decode: (body) => ({ decoded: messagesDialect.decode(body) }),
  native: (_r, target) => speaksMessages(target),
  nativeBody: (d: DecodedBody<MessagesRequest>, target) => (target.model === d.request.decoded.model ? d.raw : JSON.stringify({ ...d.body, model: target.model })),
  canonical: (r) => {
    if (r.decoded.untranslatable) throw r.decoded.untranslatable;
    return r.decoded.canonical;
  },
});

export const COUNT_TOKENS_ROUTE = '/v1/messages/count_tokens';

/**
 * Counts a Messages request's input tokens: Anthropic counts its own models' natively; for
 * any other model the gateway estimates, as it does for limits.
 */
export async function countTokens(deps: PipelineDeps, request: RequestTrace, responder: Responder, req: IncomingMessage): Promise<Outcome> {
  const head = { requestId: request.id, cache: CacheStatus.bypass, provider: '', extra: {} };
  let keyId = '';
  let model = '';
  try {
    keyId = authenticate(deps.keys, request.method, request.headers).keyId;
    const { body, raw } = decodeBody(await readBody(req, deps.config.server.bodyLimitBytes), (b) => b);
    const estimate = countTokensBody(body); // validates the body, 400 naming the field
    model = String(body.model);
    const target = deps.router.resolve(model).targets[0]!;
    if (!speaksMessages(target)) {
      responder.json(200, estimate, answerHeaders(head));
      return { ...NOTHING_YET, keyId, model };
    }
    const headers: Record<string, string> = {};
    for (const name of ANTHROPIC_HEADERS) if (typeof request.headers[name] === 'string') headers[name] = request.headers[name] as string;
    const answer = await target.provider.native!(
      { dialect: 'messages', path: COUNT_TOKENS_ROUTE, body: target.model === model ? raw : JSON.stringify({ ...body, model: target.model }), stream: false, headers },
      { signal: responder.signal, headers: { 'x-request-id': request.id } },
    );
    if (answer.kind !== 'json') throw new Error('count_tokens answered with a stream');
    const provider = target.provider.name;
    responder.json(200, answer.bytes, answerHeaders(withProvider(head, provider)));
    return { ...NOTHING_YET, keyId, model, provider };
  } catch (err) {
    answerError(deps.telemetry, request, responder, messagesDialect, err, head);
    return { ...NOTHING_YET, keyId, model };
  }
}
