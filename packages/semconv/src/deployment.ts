/**
 * How the gateway is sized in a pod, which the charts apply and the benchmark reproduces, so the
 * bench measures the heap a deployment has rather than one sized for the machine it runs on.
 */

/** The charts' default memory limit for a gateway pod (`EdgeAgent`'s `memory`). */
export const DEFAULT_GATEWAY_MEMORY_MIB = 2048;

/**
 * Each worker's V8 old-space limit (`--max-old-space-size`): half the pod's memory, shared by the
 * workers. The other half is young generation, code, buffers outside the heap (cached bodies)
 * and Node itself. It is also what Node picks for a lone process in a pod (a 2 GiB limit gives
 * it 1,024 MB): V8 then lets the old generation grow less between collections (at most ~1.6x its
 * live size, against 4x on a host with 16 GB or more), which keeps the RSS near the live heap.
 * Without it each of N workers would size itself for the whole pod.
 */
export function workerHeapMiB(memoryMiB: number, workers: number): number {
  return Math.floor(memoryMiB / 2 / workers);
}
