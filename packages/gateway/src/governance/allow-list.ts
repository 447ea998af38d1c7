/**
 * A key's model allow-list: exact names, or globs where `*` matches any run of characters
 * (`claude-*`). Compiled once when the config loads; an exact entry admits only that name
 * (`gpt-4o-mini` does not admit `gpt-4o-mini-2024-07-18`).
 */
export class ModelAllowList {
  private readonly exact: ReadonlySet<string>;
  private readonly globs: readonly RegExp[];

  constructor(patterns: readonly string[]) {
    this.exact = new Set(patterns.filter((p) => !p.includes('*')));
    this.globs = patterns.filter((p) => p.includes('*')).map(globToRegex);
  }

  allows(model: string): boolean {
    return this.exact.has(model) || this.globs.some((g) => g.test(model));
  }
}

function globToRegex(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}
