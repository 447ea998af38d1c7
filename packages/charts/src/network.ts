/**
 * Ingress NetworkPolicies. Each construct owns one policy over its own pods that starts with only
 * its internal flows; wiring (EdgeAgent -> RedisCluster, PrometheusStack -> targets, ...) adds the
 * flows between components, so the policies allow exactly what the stack uses.
 */
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

/** A component's pods as a network peer, and the policy that guards them. */
export interface NetworkedComponent {
  /** The component's pods, as a selector and a network peer. */
  readonly pods: kplus.Pods;
  /** The ingress policy over the component's pods; add rules to let others in. */
  readonly networkPolicy: kplus.NetworkPolicy;
}

export function ingressPolicy(scope: Construct, name: string, pods: kplus.Pods, labels: Record<string, string>): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: { name, labels },
    selector: pods,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

/** Let `from` reach `to` on TCP `ports`. */
export function allowTcp(to: NetworkedComponent, from: kplus.INetworkPolicyPeer, ...ports: number[]): void {
  to.networkPolicy.addIngressRule(from, ports.map((p) => kplus.NetworkPolicyPort.tcp(p)));
}

/**
 * Let any source reach `port`: outside the cluster (an ipBlock) and pods of every namespace (an
 * ipBlock does not reliably cover pod IPs). For user-facing ports: the gateway API, the UIs.
 */
export function allowFromAnywhere(scope: Construct, to: NetworkedComponent, port: number): void {
  allowTcp(to, kplus.NetworkPolicyIpBlock.anyIpv4(scope, 'AnySource'), port);
  allowTcp(to, kplus.Namespaces.all(scope, 'AllNamespaces'), port);
}
