/**
 * Field checks for Responses request bodies: each failure is a 400 whose `param` is the field's
 * path in the caller's own terms (`input[2].call_id`), as OpenAI reports it.
 */
import { badRequest } from '../../http/errors.js';
import type { Json } from './types.js';

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/** A 400 for a field of the wrong shape. */
export function invalid(param: string, expected: string): never {
  throw badRequest(`Invalid value for '${param}': expected ${expected}.`, param, 'invalid_value');
}

/** A 400 for a required field left out. */
export function missing(param: string): never {
  throw badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function requireString(v: unknown, param: string, nonEmpty = false): string {
  if (v === undefined) missing(param);
  if (typeof v !== 'string' || (nonEmpty && v === '')) invalid(param, nonEmpty ? 'a non-empty string' : 'a string');
  return v;
}

export function optionalString(v: unknown, param: string): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'string') invalid(param, 'a string');
  return v;
}

export function optionalBoolean(v: unknown, param: string): boolean | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'boolean') invalid(param, 'a boolean');
  return v;
}

export function optionalNumber(v: unknown, param: string, min: number, max: number, integer = false): number | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    invalid(param, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

export function optionalObject(v: unknown, param: string): Json | undefined {
  if (absent(v)) return undefined;
  if (!isObject(v)) invalid(param, 'an object');
  return v;
}

export function oneOf<T extends string>(v: unknown, param: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) invalid(param, values.map((s) => `'${s}'`).join(', '));
  return v as T;
}
