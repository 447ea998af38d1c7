/** The `app.kubernetes.io/*` labels every object of the stack carries. */
export const PART_OF = 'llm-edge-agent';

export interface ComponentLabelOptions {
  /** `app.kubernetes.io/name`: what runs (redis, prometheus, ...). */
  readonly name: string;
  /** `app.kubernetes.io/instance`: which copy of it (the construct's resource name). */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role in the stack (cache, metrics, ...). */
  readonly component: string;
  /** `app.kubernetes.io/version`: the image tag. */
  readonly version: string;
}

/** Labels that select a component's pods: stable across upgrades (no version in them). */
export function selectorLabels(o: Pick<ComponentLabelOptions, 'name' | 'instance'>): Record<string, string> {
  return { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/instance': o.instance };
}

/** All common labels for a component's objects and pods. */
export function componentLabels(o: ComponentLabelOptions): Record<string, string> {
  return {
    ...selectorLabels(o),
    'app.kubernetes.io/component': o.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
    'app.kubernetes.io/version': o.version,
  };
}

/** The tag of a pinned image reference (`repo:tag` -> `tag`). */
export function imageTag(image: string): string {
  const at = image.lastIndexOf(':');
  if (at < 0 || image.lastIndexOf('/') > at) throw new Error(`image "${image}" has no tag; pin it (e.g. "${image}:1.2.3")`);
  return image.slice(at + 1);
}
