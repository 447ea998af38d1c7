/**
 * The most a request can cost: its prompt at the input price plus its output budget (`max_tokens`,
 * or the model's output cap) at the output price, for the dearest target the request may reach.
 * Admission reserves this much; settling returns what the answer did not use.
 */
import type { PriceTable } from '../telemetry/prices.js';

/** Output caps of model families, longest prefix first; unknown models get `DEFAULT_OUTPUT_CAP`. */
const OUTPUT_CAPS: ReadonlyArray<readonly [string, number]> = [
  ['gpt-4o-mini', 16_384], ['gpt-4o', 16_384], ['gpt-4.1', 32_768], ['gpt-5', 128_000],
  ['o1', 100_000], ['o3', 100_000], ['o4', 100_000],
  ['claude-opus-4', 32_000], ['claude-sonnet-4', 64_000], ['claude-haiku-4', 64_000], ['claude-3', 8_192],
];
export const DEFAULT_OUTPUT_CAP = 16_384;

export function outputCap(model: string): number {
  return OUTPUT_CAPS.find(([prefix]) => model.startsWith(prefix))?.[1] ?? DEFAULT_OUTPUT_CAP;
}

/**
 * @param models the models of every target the request may reach (targets and fallbacks)
 * @param maxOutputTokens what the request asks for at most, or undefined (the model's cap then)
 * @returns US dollars; 0 when no target has a price
 */
export function worstCaseUsd(prices: PriceTable, models: readonly string[], promptTokens: number, maxOutputTokens: number | undefined): number {
  let most = 0;
  for (const model of models) {
    const price = prices.priceOf(model);
    if (!price) continue;
    const output = maxOutputTokens ?? outputCap(model);
    most = Math.max(most, (promptTokens * price.input + output * price.output) / 1_000_000);
  }
  return most;
}
