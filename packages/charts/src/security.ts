/**
 * The restricted security posture every container of the stack runs with (Kubernetes' "restricted"
 * Pod Security Standard): non-root, read-only root filesystem, no privilege escalation, all
 * capabilities dropped, the runtime's default seccomp profile. Programs that write get an emptyDir.
 */
import * as kplus from 'cdk8s-plus-28';
import type { k8s } from 'cdk8s-plus-28';
import { JsonPatch, ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** For cdk8s-plus containers. */
export function restrictedContainer(uid: number, gid = uid): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: gid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** For L1 (`k8s.Kube*`) containers. */
export function restrictedContainerL1(uid: number, gid = uid): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** For cdk8s-plus pods: fsGroup makes mounted volumes writable by the image's user. */
export function restrictedPod(uid: number, gid = uid): kplus.PodSecurityContextProps {
  return { ensureNonRoot: true, user: uid, group: gid, fsGroup: gid, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

/**
 * cdk8s-plus labels every pod template with `cdk8s.io/metadata.addr`, a path-derived value with a
 * hash. Our selectors use `app.kubernetes.io/*` labels, so drop it to keep `dist/` readable.
 */
export function dropAddressLabel(workload: Construct): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
}

/** Select a Deployment's pods by our labels (not cdk8s-plus's address label), then drop that label. */
export function selectByLabels(deployment: kplus.Deployment, labels: Record<string, string>): void {
  deployment.select(kplus.LabelSelector.of({ labels }));
  dropAddressLabel(deployment);
}
