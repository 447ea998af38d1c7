/**
 * Event-loop delay as a histogram (`llm_edge_event_loop_delay_seconds`): every 10 ms a timer
 * notes how late it ran, which is what a request arriving at that moment waited before the
 * gateway could read it (a GC pause, a span export, any synchronous step).
 *
 * Why not prom-client's `nodejs_eventloop_lag_p99_seconds`: it reports Node's
 * monitorEventLoopDelay, whose samples are the whole time between two timer runs, the 10 ms
 * resolution included (an idle process reports a p99 of ~10.4 ms), and it resets on every scrape,
 * so two Prometheus servers each see part of the samples and replicas cannot be aggregated. A
 * histogram has neither problem, and workers' histograms add up.
 */
import type { Histogram } from 'prom-client';

export const EVENT_LOOP_SAMPLE_MS = 10;

/** Starts sampling; the returned function stops it. The timer never keeps the process alive. */
export function watchEventLoop(histogram: Histogram<string>, intervalMs = EVENT_LOOP_SAMPLE_MS): () => void {
  let due = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    histogram.observe(Math.max(0, now - due) / 1000);
    // Node re-arms an interval from when its callback ran.
    due = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
