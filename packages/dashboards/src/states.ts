/** Names and colours of the contract's state gauges, for state timelines and stats. */
import { BreakerState } from '@llm-edge/semconv';
import { stateNames } from './panels.js';

/** `provider_health`: 1 taking traffic, 0 not. */
export const providerHealthStates = stateNames([
  { value: 0, text: 'down', color: 'red' },
  { value: 1, text: 'up', color: 'green' },
]);

/** `circuit_breaker_state`: 0 closed, 1 half-open, 2 open. */
export const breakerStates = stateNames([
  { value: BreakerState.closed, text: 'closed', color: 'green' },
  { value: BreakerState.halfOpen, text: 'half-open', color: 'orange' },
  { value: BreakerState.open, text: 'open', color: 'red' },
]);
