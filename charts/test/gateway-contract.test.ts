/**
 * What the EdgeAgent construct assumes about the gateway it deploys, checked against the gateway
 * itself: its drain defaults (which size the pod's grace period) are the gateway's own.
 */
import { GATEWAY_DRAIN_DEFAULTS } from '@llm-edge/charts';
import { ConfigSchema } from '@llm-edge/gateway';
import { describe, expect, it } from 'vitest';

describe('EdgeAgent and the gateway', () => {
  it('sizes the grace period from the gateway\'s real drain defaults', () => {
    const { drainDelayMs, shutdownTimeoutMs } = ConfigSchema.parse({}).server;
    expect(GATEWAY_DRAIN_DEFAULTS).toEqual({ drainDelayMs, shutdownTimeoutMs });
  });
});
