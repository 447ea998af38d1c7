/**
 * The probe set the stack's off-the-shelf servers share: a startup probe that allows a slow
 * first start (`startupFailures` x 5 s), then liveness every 15 s and readiness every 10 s.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

export interface HttpProbePaths {
  readonly port: number;
  /** Path that answers while the process is alive. */
  readonly live: string;
  /** Path that answers when it can serve. @default live */
  readonly ready?: string;
  /** Startup checks (5 s apart) before liveness takes over. */
  readonly startupFailures: number;
}

export function httpProbes({ port, live, ready = live, startupFailures }: HttpProbePaths) {
  return {
    startup: kplus.Probe.fromHttpGet(ready, { port, periodSeconds: Duration.seconds(5), failureThreshold: startupFailures }),
    liveness: kplus.Probe.fromHttpGet(live, { port, periodSeconds: Duration.seconds(15) }),
    readiness: kplus.Probe.fromHttpGet(ready, { port, periodSeconds: Duration.seconds(10) }),
  };
}
