/**
 * The OpenAI Responses API's shapes, as far as the gateway reads or writes them, and what a
 * decoded Responses request carries beyond the canonical one (the fields the response object
 * repeats, the stored-conversation handles).
 */
import type { ChatMessage } from '../../api/types.js';
import type { Decoded } from '../types.js';

export type Json = Record<string, unknown>;

/** A Responses function tool (`{type:'function', name, ...}`, not the chat shape). */
export interface FunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

/**
 * The request fields a Response object repeats back (`instructions`, `tools`, `text`, ...),
 * resolved to the values the API reports when the caller left them out.
 */
export interface ResponseEcho {
  instructions: string | null;
  /** Function tools with their defaults, other (built-in) tools as the caller wrote them. */
  tools: Json[];
  tool_choice: unknown;
  text: Json;
  temperature: number;
  top_p: number;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  store: boolean;
  metadata: Record<string, string>;
  reasoning: { effort: string | null; summary: string | null };
  truncation: 'auto' | 'disabled';
  user: string | null;
  service_tier: string;
  background: boolean;
}

/** A Responses request decoded: the canonical request plus what the pipeline and the encoders need. */
export interface ResponsesDecoded extends Decoded {
  /** The id of the response this request creates (`resp_...`): the encoders write it, the pipeline stores under it. */
  readonly responseId: string;
  /** `store` (default true): the pipeline keeps the conversation under `responseId`. */
  readonly store: boolean;
  /** The stored response this one continues; its conversation comes in through `withHistory`. */
  readonly previousResponseId: string | null;
  /** The stored conversation prepended (empty until `withHistory`). */
  readonly history: readonly ChatMessage[];
  /** This request's own input as canonical messages (no instructions, no history). */
  readonly input: readonly ChatMessage[];
  /** What the response object repeats. */
  readonly echo: ResponseEcho;
  /**
   * The first field (its `param`) the canonical form cannot carry (a built-in tool, an
   * `item_reference`, `background`...): such a request may go natively to OpenAI but is refused
   * when translated. Null when the whole request translates.
   */
  readonly untranslatable: string | null;
  /** The `call_id`s of this input's function calls (a `function_call_output` in a follow-up may answer them). */
  readonly functionCallIds: readonly string[];
  /** `call_id`s of function outputs not answered within the input: the history must hold their calls. */
  readonly pendingOutputs: ReadonlyArray<{ readonly callId: string; readonly param: string }>;
}

/** One output item of a Response (`message`, `function_call`, or a native item passed through). */
export type OutputItem = Json & { type: string; id?: string };

/** The Response object (`object: 'response'`). */
export interface ResponseObject extends ResponseEcho {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed' | 'incomplete' | 'in_progress' | 'failed';
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: OutputItem[];
  usage: ResponseUsage | null;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}
