/**
 * Where bundles live in a hub repository. A layout is a path pattern such as
 * `executors/{kinds}/{name}` (the default) or `{kinds}/{domain}/{name}` (the public
 * jina-hub). Literal segments must match exactly; a placeholder matches one folder.
 */
export interface BundleLayout {
  readonly pattern: string;
  readonly segments: readonly string[];
  /** Index of `{kinds}` in the segments, or -1 when the layout has none. */
  readonly kindsIndex: number;
}

export interface BundleLocation {
  /** Bundle folder relative to the repository root, e.g. `executors/encoders/AwesomeEncoder`. */
  root: string;
  /** The plural kind folder (`encoders`), when the layout has `{kinds}`. */
  kindsFolder?: string;
  /** The bundle's folder name. */
  folderName: string;
}

export type PathPlacement =
  { kind: "bundle"; bundle: BundleLocation; inner: string } | { kind: "badly-placed" } | { kind: "outside" };

const isPlaceholder = (s: string) => s.startsWith("{") && s.endsWith("}");

export function parseLayout(pattern: string): BundleLayout {
  const segments = pattern.split("/").filter(Boolean);
  if (segments.length === 0 || segments[segments.length - 1] !== "{name}") {
    throw new Error(`layout "${pattern}" must end with {name}`);
  }
  return { pattern, segments, kindsIndex: segments.indexOf("{kinds}") };
}

/** Where a repository path falls: inside a bundle, in the hub area but outside any bundle, or elsewhere. */
export function placePath(layout: BundleLayout, path: string): PathPlacement {
  const parts = path.split("/").filter(Boolean);
  const depth = layout.segments.length;
  for (let i = 0; i < depth; i++) {
    const segment = layout.segments[i]!;
    const part = parts[i];
    if (part === undefined) return { kind: "outside" };
    if (!isPlaceholder(segment) && segment !== part) {
      // Diverged on a literal: not part of the hub area at all (README.md, .github/...).
      return { kind: "outside" };
    }
    // A file (last part) sitting where a folder is expected: executors/x.py, executors/encoders/x.py.
    if (i === parts.length - 1)
      return hasLiteralPrefix(layout, i) ? { kind: "badly-placed" } : { kind: "outside" };
  }
  const rootParts = parts.slice(0, depth);
  return {
    kind: "bundle",
    bundle: {
      root: rootParts.join("/"),
      kindsFolder: layout.kindsIndex >= 0 ? rootParts[layout.kindsIndex] : undefined,
      folderName: rootParts[depth - 1]!,
    },
    inner: parts.slice(depth).join("/"),
  };
}

/** A stray file counts as badly placed only below a literal prefix (`executors/`), so a layout
 *  starting with a placeholder does not flag every top-level file of the repository. */
function hasLiteralPrefix(layout: BundleLayout, index: number): boolean {
  return index > 0 && !isPlaceholder(layout.segments[0]!);
}

/** `encoders` holds `encoder`; also accept the singular folder and `-es` plurals (`indexes`). */
export function kindMatchesFolder(kind: string, kindsFolder: string): boolean {
  const folder = kindsFolder.toLowerCase();
  const k = kind.toLowerCase();
  return folder === k || folder === `${k}s` || folder === `${k}es`;
}

/** The location of a bundle folder given its root path (as found by a scan). */
export function bundleAt(layout: BundleLayout, root: string): BundleLocation | undefined {
  const placed = placePath(layout, `${root}/manifest.yml`);
  return placed.kind === "bundle" && placed.inner === "manifest.yml" ? placed.bundle : undefined;
}
