// Small checks both fakes use to reject a request the way the real APIs do: a 400 whose message
// names the offending field, so a gateway translation bug shows up as a clear error in its tests.

/** A request the provider refuses with 400; `param` is the offending field's path. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A content part or block's text, or '' for non-text parts (images, documents). */
function partText(part: unknown): string | null {
  return isObject(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : null;
}

/** The text of a message content: a string, or the text parts of an array joined with a space. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    const t = partText(part);
    if (t !== null) texts.push(t);
  }
  return texts.join(' ');
}

/** The type name JSON has for a value, as the APIs' error messages say it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Path of the request, without the query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
