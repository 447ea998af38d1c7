/** Compute resources: one shape for props (cdk8s-plus's), converted for L1 objects. */
import * as kplus from 'cdk8s-plus-28';
import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/** Requests and limits from CPU cores and memory in MiB; requests default to half the limits. */
export function computeResources(o: {
  cpu: number;
  memoryMiB: number;
  cpuRequest?: number;
  memoryRequestMiB?: number;
}): kplus.ContainerResources {
  const milli = (cores: number) => kplus.Cpu.millis(Math.round(cores * 1000));
  return {
    cpu: { request: milli(o.cpuRequest ?? o.cpu / 2), limit: milli(o.cpu) },
    memory: {
      request: Size.mebibytes(Math.round(o.memoryRequestMiB ?? o.memoryMiB / 2)),
      limit: Size.mebibytes(o.memoryMiB),
    },
  };
}

/** cdk8s-plus resources -> the Kubernetes `resources` object for L1 containers. */
export function toKubeResources(r: kplus.ContainerResources): k8s.ResourceRequirements {
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  if (r.cpu?.request) requests.cpu = k8s.Quantity.fromString(r.cpu.request.amount);
  if (r.memory?.request) requests.memory = k8s.Quantity.fromString(`${r.memory.request.toMebibytes()}Mi`);
  if (r.cpu?.limit) limits.cpu = k8s.Quantity.fromString(r.cpu.limit.amount);
  if (r.memory?.limit) limits.memory = k8s.Quantity.fromString(`${r.memory.limit.toMebibytes()}Mi`);
  return { requests, limits };
}

/** A Size as a Kubernetes quantity, in Gi when whole, else Mi (`10Gi`, `1536Mi`). */
export function sizeQuantity(size: Size): k8s.Quantity {
  return k8s.Quantity.fromString(sizeString(size));
}

function sizeString(size: Size): string {
  const mib = size.toMebibytes();
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
