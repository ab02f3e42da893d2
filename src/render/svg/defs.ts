/**
 * Collects the `<defs>` entries (patterns, clip paths, masks, filters) that shapes ask for
 * while rendering, once per id, so the root can write them first.
 */
export class Defs {
  private entries = new Map<string, string>();

  /** Adds a definition under `id` unless it exists; returns `url(#id)`. */
  use(id: string, build: () => string): string {
    if (!this.entries.has(id)) this.entries.set(id, build());
    return `url(#${id})`;
  }

  /** The `<defs>` element, or '' when nothing was defined. */
  toSvg(): string {
    return this.entries.size === 0 ? '' : `<defs>${[...this.entries.values()].join('')}</defs>`;
  }
}
