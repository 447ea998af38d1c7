/**
 * The Anthropic Messages wire shapes this dialect reads and writes: only the fields the gateway
 * looks at are typed; everything else in a caller's body passes through to a native provider.
 */

/** A content block as callers send it (`text`, `image`, `tool_use`, `tool_result`, ...). */
export interface Block {
  type: string;
  [k: string]: unknown;
}

export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export interface ToolParam {
  /** Absent or `custom` for a client tool; a versioned name (`web_search_20250305`) for a server tool. */
  type?: string;
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ToolChoiceParam {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

/** A validated `POST /v1/messages` (or `count_tokens`) body. */
export interface MessagesBody {
  model: string;
  /** Required by `/v1/messages`; `count_tokens` takes none. */
  max_tokens?: number;
  messages: MessageParam[];
  system?: string | Block[];
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  metadata?: { user_id?: string | null };
  thinking?: { type: 'enabled'; budget_tokens: number } | { type: 'disabled' } | { type: 'adaptive' };
  [k: string]: unknown;
}

/** Anthropic's usage object, as answers and `message_delta` events carry it. */
export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
  [k: string]: unknown;
}

/** A Message answer (`type: 'message'`). */
export interface MessageAnswer {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Block[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: MessageUsage;
  [k: string]: unknown;
}
