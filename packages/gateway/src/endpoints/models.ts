/** `GET /v1/models`: the models this gateway routes, in OpenAI's list shape. */
import { CacheStatus, Span } from '@llm-edge/semconv';
import { chatDialect } from '../dialects/chat/index.js';
import { authenticate } from '../pipeline/authenticate.js';
import { answerHeaders } from '../pipeline/headers.js';
import { NOTHING_YET, type Outcome } from '../pipeline/outcome.js';
import type { RequestTrace } from '../pipeline/request.js';
import type { Responder } from '../pipeline/responder.js';
import { answerError, type PipelineDeps } from '../pipeline/run.js';

export const MODELS_ROUTE = '/v1/models';

export function models(deps: PipelineDeps, request: RequestTrace, responder: Responder): Promise<Outcome> {
  const head = { requestId: request.id, cache: CacheStatus.bypass, provider: '', extra: {} };
  try {
    const caller = request.stepSync(Span.authentication, () => {
      try {
        return authenticate(deps.keys, request.method, request.headers);
      } catch (err) {
        deps.telemetry.metrics.get('authFailuresTotal').inc();
        throw err;
      }
    });
    const data = deps.router.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.owned_by }));
    responder.json(200, JSON.stringify({ object: 'list', data }), answerHeaders(head));
    return Promise.resolve({ ...NOTHING_YET, keyId: caller.keyId });
  } catch (err) {
    answerError(deps.telemetry, request, responder, chatDialect, err, head);
    return Promise.resolve(NOTHING_YET);
  }
}
