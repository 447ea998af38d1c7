// A fake Amazon Bedrock Runtime: POST /model/{modelId}/converse (JSON) and
// /model/{modelId}/converse-stream (AWS event-stream frames encoded with @smithy/eventstream-codec),
// authenticated as AWS does (a SigV4 signature recomputed with known test credentials, or a
// Bedrock API key as a bearer token), validating the Converse body and answering with the same
// deterministic model as the other fakes, in the shapes @aws-sdk/client-bedrock-runtime parses.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { FakeServer } from './fake-server.js';
import type { Exchange, FakeProvider, StreamPlan, Wire } from './fake-server.js';
import { TOOL_CALL_TOKENS, answer, argumentFragments } from './model.js';
import type { Answer } from './model.js';
import { verifyRequest, type AwsTestCredentials } from './bedrock-auth.js';
import { readConverseRequest } from './bedrock-request.js';
import { BadRequest } from './request-checks.js';

/** Model ids the fake serves (and their cross-region `us.` / `eu.` inference profiles). */
export const BEDROCK_MODELS = [
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'amazon.nova-lite-v1:0',
  'amazon.nova-pro-v1:0',
  'meta.llama3-1-8b-instruct-v1:0',
] as const;

/** The test credentials the fake accepts by default. */
export const BEDROCK_TEST_CREDENTIALS: AwsTestCredentials = {
  accessKeyId: 'AKIAFAKEBEDROCK00001',
  secretAccessKey: 'fake-bedrock-secret-0000000000000000000000',
};
export const BEDROCK_TEST_BEARER = 'ABSKfake-bedrock-api-key';

export interface FakeBedrockOptions {
  /** The only credentials whose SigV4 signatures verify. @default BEDROCK_TEST_CREDENTIALS */
  readonly credentials?: AwsTestCredentials;
  /** The Bedrock API key accepted as `Authorization: Bearer`. @default BEDROCK_TEST_BEARER */
  readonly bearerToken?: string;
  /** The region signatures must be scoped to. @default 'us-east-1' */
  readonly region?: string;
  /** Pause between stream frames that carry content. @default 0 */
  readonly chunkDelayMs?: number;
  /** Keep every request in `calls`. @default true */
  readonly recordCalls?: boolean;
}

/**
 * Starts a fake Bedrock Runtime on a free loopback port. Point the SDK's `endpoint` at `url`.
 * @example
 * const bedrock = await startFakeBedrock();
 * const client = new BedrockRuntimeClient({ endpoint: bedrock.url, region: 'us-east-1', credentials: BEDROCK_TEST_CREDENTIALS });
 * await client.send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
 * await bedrock.close();
 */
export function startFakeBedrock({
  credentials = BEDROCK_TEST_CREDENTIALS,
  bearerToken = BEDROCK_TEST_BEARER,
  region = 'us-east-1',
  chunkDelayMs = 0,
  recordCalls = true,
}: FakeBedrockOptions = {}): Promise<FakeProvider> {
  return new FakeServer(new BedrockWire(credentials, bearerToken, region), { chunkDelayMs, recordCalls }).listen();
}

// The error types Bedrock Runtime documents for each HTTP status.
const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['ValidationException', 'Malformed input request, please reformat your input and try again.'],
  403: ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
  404: ['ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.'],
  408: ['ModelTimeoutException', 'Model has timed out in processing the request.'],
  424: ['ModelErrorException', 'The model failed to process the request.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'The server encountered an internal error while processing the request.'],
  503: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

function errorType(status: number): [string, string] {
  return ERROR_TYPES[status] ?? (status >= 500 ? ERROR_TYPES[500]! : ['ValidationException', `Request failed with status ${status}.`]);
}

/** `x-amzn-errortype` as AWS sends it: the type, then the service's namespace. */
const errorTypeHeader = (type: string): Record<string, string> => ({ 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });

const STOP_REASON = { end: 'end_turn', stop_sequence: 'stop_sequence', max_tokens: 'max_tokens' } as const;
const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

class BedrockWire implements Wire {
  readonly streamErrorStatus = 500;
  readonly requestIdHeader = 'x-amzn-requestid';
  private toolUses = 0;
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);

  constructor(
    private readonly credentials: AwsTestCredentials,
    private readonly bearerToken: string,
    private readonly region: string,
  ) {}

  errorBody(status: number): unknown {
    return { message: errorType(status)[1] };
  }

  errorHeaders(status: number): Record<string, string> {
    return errorTypeHeader(errorType(status)[0]);
  }

  handle(ex: Exchange): void {
    this.serve(ex).catch((err: unknown) => {
      // A bug in the fake must fail the test visibly, not crash the runner's process.
      this.error(ex, 500, 'InternalServerException', `fake Bedrock failed: ${String(err)}`);
    });
  }

  private async serve(ex: Exchange): Promise<void> {
    const { call, req } = ex;
    const refusal = await verifyRequest(
      { method: call.method, url: call.path, headers: req.headers, body: Buffer.from(call.raw, 'utf8') },
      this.credentials,
      this.region,
      'bedrock',
      this.bearerToken,
    );
    if (refusal) return this.error(ex, refusal.status, refusal.type, refusal.message);
    const route = ROUTE.exec(call.path.split('?')[0] ?? '');
    if (call.method !== 'POST' || !route) return this.error(ex, 404, 'UnknownOperationException', 'Unknown operation');
    const modelId = decodeURIComponent(route[1]!);
    if (!isServedModel(modelId)) return this.error(ex, 400, 'ValidationException', 'The provided model identifier is invalid.');
    try {
      const { conversation } = readConverseRequest(call.body);
      const ans = answer(conversation);
      const toolUseId = ans.kind === 'tool_call' ? `tooluse_${++this.toolUses}` : '';
      if (route[2] === 'converse-stream') ex.stream(this.streamPlan(ans, toolUseId, ex.noUsage));
      else ex.json(200, converseBody(ans, toolUseId, ex.noUsage));
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      this.error(ex, 400, 'ValidationException', err.message);
    }
  }

  private error(ex: Exchange, status: number, type: string, message: string): void {
    ex.json(status, { message }, errorTypeHeader(type));
  }

  private frame(headers: Record<string, string>, payload: unknown): string {
    const message = {
      headers: Object.fromEntries(Object.entries(headers).map(([k, value]) => [k, { type: 'string' as const, value }])),
      body: fromUtf8(JSON.stringify(payload)),
    };
    return Buffer.from(this.codec.encode(message)).toString('latin1');
  }

  /** An event frame; the real service pads payloads with a `p` field (it hides their length). */
  private event(type: string, payload: Record<string, unknown>): string {
    return this.frame({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, { ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 4 + (type.length % 20)) });
  }

  /**
   * Frames in the real service's order: messageStart, contentBlockStart (tool use only), one
   * contentBlockDelta per word or arguments fragment, contentBlockStop, messageStop, metadata.
   */
  private streamPlan(ans: Answer, toolUseId: string, noUsage: boolean): StreamPlan {
    let preamble = this.event('messageStart', { role: 'assistant' });
    let chunks: string[];
    if (ans.kind === 'tool_call') {
      preamble += this.event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId, name: ans.name } } });
      chunks = argumentFragments(ans.argumentsJson).map((input) => this.event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } }));
    } else {
      chunks = ans.completion.chunks.map((text) => this.event('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
    }
    const metadata: Record<string, unknown> = { metrics: { latencyMs: 1 } };
    if (!noUsage) metadata.usage = usage(ans);
    const tail =
      this.event('contentBlockStop', { contentBlockIndex: 0 }) +
      this.event('messageStop', { stopReason: stopReason(ans) }) +
      this.event('metadata', metadata);
    const errorEvent = this.frame(
      { ':exception-type': 'modelStreamErrorException', ':content-type': 'application/json', ':message-type': 'exception' },
      { message: 'The model stream failed.', originalStatusCode: 500 },
    );
    return { preamble, chunks, tail, errorEvent, encoding: 'latin1', headers: { 'content-type': 'application/vnd.amazon.eventstream' } };
  }
}

function isServedModel(id: string): boolean {
  const base = /^(us|eu|apac|global)\./.test(id) ? id.slice(id.indexOf('.') + 1) : id;
  return (BEDROCK_MODELS as readonly string[]).includes(base);
}

function stopReason(ans: Answer): string {
  return ans.kind === 'tool_call' ? 'tool_use' : STOP_REASON[ans.completion.cause];
}

function usage(ans: Answer) {
  const outputTokens = ans.kind === 'tool_call' ? TOOL_CALL_TOKENS : ans.completion.outputTokens;
  return { inputTokens: ans.inputTokens, outputTokens, totalTokens: ans.inputTokens + outputTokens };
}

function converseBody(ans: Answer, toolUseId: string, noUsage: boolean) {
  const content =
    ans.kind === 'tool_call'
      ? [{ toolUse: { toolUseId, name: ans.name, input: JSON.parse(ans.argumentsJson) as unknown } }]
      : [{ text: ans.completion.text }];
  const body: Record<string, unknown> = { output: { message: { role: 'assistant', content } }, stopReason: stopReason(ans), metrics: { latencyMs: 1 } };
  if (!noUsage) body.usage = usage(ans);
  return body;
}
