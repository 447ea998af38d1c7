/**
 * `POST /v1/responses` (OpenAI Responses) on the pipeline, and `GET`/`DELETE
 * /v1/responses/{id}`. OpenAI targets take the caller's body natively (reasoning items and
 * built-in tools survive); any other target gets it translated. Every response with `store` not
 * false is kept per tenant (L1 and L2), so `previous_response_id` continues it on any replica.
 */
import { CacheStatus } from '@llm-edge/semconv';
import { conversationAfterResponse, responsesDialect, translationRefusal, withHistory, type ResponsesDecoded } from '../dialects/responses/index.js';
import { GatewayError } from '../http/errors.js';
import { authenticate } from '../pipeline/authenticate.js';
import type { DecodedBody } from '../pipeline/decode.js';
import { answerHeaders } from '../pipeline/headers.js';
import { NOTHING_YET, type Outcome } from '../pipeline/outcome.js';
import type { RequestTrace } from '../pipeline/request.js';
import type { Responder } from '../pipeline/responder.js';
import { answerError, type PipelineDeps } from '../pipeline/run.js';
import type { Target } from '../routing/router.js';
import { dialectEndpoint } from './dialect-completion.js';

interface ResponsesRequest {
  readonly decoded: ResponsesDecoded;
  /** The provider holding the previous response natively, when it answered it natively. */
  readonly previousNative?: string | undefined;
}

const speaksResponses = (t: Target) => t.provider.nativeDialects?.includes('responses') === true && t.provider.native !== undefined;

export const responses = dialectEndpoint<ResponsesRequest>({
  route: '/v1/responses',
  cacheEndpoint: 'responses',
  dialect: responsesDialect,
  nativePath: '/v1/responses',
  nativeHeaders: [],
  decode: (body) => ({ decoded: responsesDialect.decode(body) }),
  // Loading the conversation a follow-up continues is I/O: it runs once the caller is known.
  prepare: async (r, caller, deps) => {
    const previous = r.decoded.previousResponseId;
    if (previous === null) return r;
    const stored = await deps.responses.load(caller.keyId, previous);
    if (!stored) throw responseNotFound(previous, 'previous_response_id');
    return { decoded: withHistory(r.decoded, stored.conversation), previousNative: stored.native ? stored.provider : undefined };
  },
  // A follow-up goes natively only to the provider that holds the response it continues.
  native: (r, target) => speaksResponses(target) && (r.decoded.previousResponseId === null || r.previousNative === target.provider.name),
  nativeBody: (d: DecodedBody<ResponsesRequest>, target) => (target.model === d.request.decoded.model ? d.raw : JSON.stringify({ ...d.body, model: target.model })),
  canonical: (r) => {
    const refusal = translationRefusal(r.decoded);
    if (refusal) throw refusal;
    return r.decoded.canonical;
  },
  afterAnswer: (r, answer, input) => {
    if (!r.decoded.store) return;
    const response = JSON.parse(answer.json.toString('utf8')) as Record<string, unknown>;
    input.deps.responses.save(input.caller.keyId, { response, conversation: conversationAfterResponse(r.decoded, response), provider: answer.provider, native: answer.native });
  },
});

/** The route label of one stored response's endpoints. */
export const RESPONSE_ROUTE = '/v1/responses/{id}';

/** `GET /v1/responses/{id}`: the tenant's stored response. */
export function retrieveResponse(deps: PipelineDeps, request: RequestTrace, responder: Responder, id: string): Promise<Outcome> {
  return storedResponse(deps, request, responder, id, async (tenant) => {
    const stored = await deps.responses.load(tenant, id);
    if (!stored) throw responseNotFound(id, null);
    return JSON.stringify(stored.response);
  });
}

/** `DELETE /v1/responses/{id}`: forgets the tenant's stored response. */
export function deleteResponse(deps: PipelineDeps, request: RequestTrace, responder: Responder, id: string): Promise<Outcome> {
  return storedResponse(deps, request, responder, id, async (tenant) => {
    if (!(await deps.responses.load(tenant, id))) throw responseNotFound(id, null);
    await deps.responses.delete(tenant, id);
    return JSON.stringify({ id, object: 'response.deleted', deleted: true });
  });
}

async function storedResponse(deps: PipelineDeps, request: RequestTrace, responder: Responder, id: string, answer: (tenant: string) => Promise<string>): Promise<Outcome> {
  const head = { requestId: request.id, cache: CacheStatus.bypass, provider: '', extra: {} };
  let keyId = '';
  try {
    keyId = authenticate(deps.keys, request.method, request.headers).keyId;
    if (!/^[\w.-]{1,200}$/.test(id)) throw responseNotFound(id.slice(0, 64), null);
    responder.json(200, await answer(keyId), answerHeaders(head));
  } catch (err) {
    answerError(deps.telemetry, request, responder, responsesDialect, err, head);
  }
  return { ...NOTHING_YET, keyId };
}

/** OpenAI's answer for a response id it does not know (or that is another tenant's). */
function responseNotFound(id: string, param: string | null): GatewayError {
  return new GatewayError(404, 'not_found_error', `Response with id '${id}' not found.`, param, param ? 'previous_response_not_found' : 'not_found');
}
