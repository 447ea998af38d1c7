/**
 * The small type checks the Messages validators share. Every failure is the caller's 400 whose
 * `param` names the field in Messages terms (`messages[1].content[0].tool_use_id`).
 */
import { badRequest } from '../../http/errors.js';

export type Json = Record<string, unknown>;

/** @throws GatewayError 400: `param` is not what it should be */
export function invalid(param: string, expected: string): never {
  throw badRequest(`Invalid value for '${param}': expected ${expected}.`, param, 'invalid_value');
}

/** @throws GatewayError 400: `param` is required and absent */
export function missing(param: string): never {
  throw badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function absent(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

export function requireString(v: unknown, param: string, nonEmpty = false): asserts v is string {
  if (v === undefined) missing(param);
  if (typeof v !== 'string' || (nonEmpty && v === '')) invalid(param, nonEmpty ? 'a non-empty string' : 'a string');
}

export function optionalString(v: unknown, param: string): void {
  if (!absent(v) && typeof v !== 'string') invalid(param, 'a string');
}

export function optionalBoolean(v: unknown, param: string): void {
  if (!absent(v) && typeof v !== 'boolean') invalid(param, 'a boolean');
}

export function requireObject(v: unknown, param: string, expected = 'an object'): asserts v is Json {
  if (v === undefined) missing(param);
  if (!isObject(v)) invalid(param, expected);
}

/** A number in [min, max], optionally whole. */
export function optionalNumber(v: unknown, param: string, min: number, max: number, integer = false): void {
  if (absent(v)) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    invalid(param, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}
