/**
 * Deep checks of Messages content blocks: the block kinds the translation reads (text, image,
 * tool_use, tool_result, thinking, document) are checked field by field; kinds added later
 * pass, for a native provider to judge (the translation refuses what it cannot express).
 */
import { absent, invalid, isObject, missing, optionalBoolean, optionalString, requireObject, requireString, type Json } from './checks.js';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const CACHE_TTLS = new Set(['5m', '1h']);

/** `cache_control`, where a block may carry one: `{type: 'ephemeral', ttl?: '5m' | '1h'}`. */
export function validateCacheControl(v: unknown, at: string): void {
  if (absent(v)) return;
  if (!isObject(v)) invalid(at, "an object {type: 'ephemeral'}");
  if (v.type !== 'ephemeral') invalid(`${at}.type`, "'ephemeral'");
  if (!absent(v.ttl) && !(typeof v.ttl === 'string' && CACHE_TTLS.has(v.ttl))) invalid(`${at}.ttl`, "'5m' or '1h'");
}

/** A text block: `{type: 'text', text, cache_control?, citations?}`. */
export function validateTextBlock(b: Json, at: string): void {
  requireString(b.text, `${at}.text`);
  if (!absent(b.citations) && !Array.isArray(b.citations)) invalid(`${at}.citations`, 'an array');
}

function validateImage(b: Json, at: string): void {
  requireObject(b.source, `${at}.source`, 'an image source object');
  const source = b.source;
  const here = `${at}.source`;
  switch (source.type) {
    case 'base64':
      requireString(source.media_type, `${here}.media_type`);
      if (!IMAGE_TYPES.has(source.media_type)) invalid(`${here}.media_type`, [...IMAGE_TYPES].join(', '));
      requireString(source.data, `${here}.data`, true);
      return;
    case 'url':
      requireString(source.url, `${here}.url`, true);
      return;
    case 'file':
      requireString(source.file_id, `${here}.file_id`, true);
      return;
    default:
      invalid(`${here}.type`, "'base64', 'url' or 'file'");
  }
}

function validateDocument(b: Json, at: string): void {
  requireObject(b.source, `${at}.source`, 'a document source object');
  requireString(b.source.type, `${at}.source.type`);
  optionalString(b.title, `${at}.title`);
  optionalString(b.context, `${at}.context`);
}

function validateToolResult(b: Json, at: string): void {
  requireString(b.tool_use_id, `${at}.tool_use_id`, true);
  optionalBoolean(b.is_error, `${at}.is_error`);
  const content = b.content;
  if (absent(content) || typeof content === 'string') return;
  if (!Array.isArray(content)) invalid(`${at}.content`, 'a string or an array of content blocks');
  content.forEach((inner: unknown, k: number) => {
    const here = `${at}.content[${k}]`;
    const block = blockOf(inner, here);
    // A tool result holds what a user turn may hold, never another tool exchange.
    if (block.type === 'tool_use' || block.type === 'tool_result') invalid(`${here}.type`, "'text', 'image' or 'document'");
    validateBlock(block, here);
  });
}

/** The block at `at` as an object with a string `type`. */
export function blockOf(v: unknown, at: string): Json & { type: string } {
  if (!isObject(v)) invalid(at, 'a content block object');
  if (v.type === undefined) missing(`${at}.type`);
  if (typeof v.type !== 'string') invalid(`${at}.type`, 'a string');
  return v as Json & { type: string };
}

/** Checks one block of any kind the translation reads, and the cache_control on it. */
export function validateBlock(b: Json & { type: string }, at: string): void {
  switch (b.type) {
    case 'text':
      validateTextBlock(b, at);
      break;
    case 'image':
      validateImage(b, at);
      break;
    case 'document':
      validateDocument(b, at);
      break;
    case 'tool_use':
      requireString(b.id, `${at}.id`, true);
      requireString(b.name, `${at}.name`, true);
      requireObject(b.input, `${at}.input`);
      break;
    case 'tool_result':
      validateToolResult(b, at);
      break;
    case 'thinking':
      requireString(b.thinking, `${at}.thinking`);
      requireString(b.signature, `${at}.signature`);
      break;
    case 'redacted_thinking':
      requireString(b.data, `${at}.data`);
      break;
    default:
    // Block kinds added later (server tool results, search results, ...) pass to a native provider.
  }
  validateCacheControl(b.cache_control, `${at}.cache_control`);
}
