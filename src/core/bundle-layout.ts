/**
 * Where bundles live in a hub repository. A layout is one path pattern or a list of them,
 * such as `executors/{kinds}/{name}` (the default) or, for the public jina-hub,
 * `['{kinds}/{domain}/{name}', '{kinds}/{name}']`. Literal segments match exactly; a
 * placeholder matches one folder whose name does not start with a dot.
 *
 * A pattern only says where a bundle may be: the bundle itself is the folder there that holds
 * its marker, `manifest.yml` (or a `Dockerfile` when the manifest is missing). See hub-tree.ts.
 */
export interface LayoutPattern {
  readonly pattern: string;
  readonly segments: readonly string[];
  /** Index of `{kinds}` in the segments, or -1 when the pattern has none. */
  readonly kindsIndex: number;
  /** The literal segments before the first placeholder (`['executors']`). */
  readonly prefix: readonly string[];
}

export interface BundleLayout {
  /** The patterns in the hub's order: at equal depth, the first one names the kinds folder. */
  readonly patterns: readonly LayoutPattern[];
  /** The deepest pattern's depth: no bundle sits deeper. */
  readonly maxDepth: number;
  /** How the layout was written, for messages (`{kinds}/{domain}/{name} or {kinds}/{name}`). */
  readonly description: string;
}

export interface BundleLocation {
  /** Bundle folder relative to the hub root, e.g. `executors/encoders/AwesomeEncoder`. */
  root: string;
  /** The plural kind folder (`encoders`), when the layout has `{kinds}`. */
  kindsFolder?: string;
  /** The bundle's folder name. */
  folderName: string;
  /** The folder at `{domain}` (`nlp` in `encoders/nlp/TextEncoder`), when the pattern has one. */
  domainFolder?: string;
  /** Where the bundle was on the base side when the change moved or renamed it. */
  previousRoot?: string;
}

export class LayoutError extends Error {
  override readonly name = "LayoutError";
}

const isPlaceholder = (s: string) => s.startsWith("{") && s.endsWith("}");

/** A placeholder never matches a hidden folder (`.github`, `.git`). */
export const matchesSegment = (segment: string, part: string): boolean =>
  isPlaceholder(segment) ? part !== "" && !part.startsWith(".") : segment === part;

function parsePattern(pattern: string): LayoutPattern {
  const segments = pattern.split("/").filter(Boolean);
  if (segments.length === 0 || segments[segments.length - 1] !== "{name}") {
    throw new LayoutError(`layout "${pattern}" must end with {name}`);
  }
  if (segments.indexOf("{name}") !== segments.length - 1) {
    throw new LayoutError(`layout "${pattern}" has {name} twice; it must be the last folder only`);
  }
  if (segments.some((s) => s === "." || s === "..")) {
    throw new LayoutError(`layout "${pattern}" must not contain . or .. folders`);
  }
  const firstPlaceholder = segments.findIndex(isPlaceholder);
  return {
    pattern,
    segments,
    kindsIndex: segments.indexOf("{kinds}"),
    prefix: segments.slice(0, firstPlaceholder),
  };
}

/** One pattern or a list of them (tried all; see `matchRoot` for ties). Throws LayoutError. */
export function parseLayout(layout: string | readonly string[]): BundleLayout {
  const list = typeof layout === "string" ? [layout] : [...layout];
  if (list.length === 0) throw new LayoutError("layout must name at least one pattern");
  const patterns = list.map(parsePattern);
  return {
    patterns,
    maxDepth: Math.max(...patterns.map((p) => p.segments.length)),
    description: list.join(" or "),
  };
}

/** The location of `root` when it sits where some pattern puts a bundle (first pattern wins a tie). */
export function matchRoot(layout: BundleLayout, root: string): BundleLocation | undefined {
  const parts = root.split("/").filter(Boolean);
  for (const pattern of layout.patterns) {
    if (pattern.segments.length !== parts.length) continue;
    if (!pattern.segments.every((s, i) => matchesSegment(s, parts[i]!))) continue;
    const domainIndex = pattern.segments.indexOf("{domain}");
    return {
      root: parts.join("/"),
      ...(pattern.kindsIndex >= 0 ? { kindsFolder: parts[pattern.kindsIndex]! } : {}),
      folderName: parts[parts.length - 1]!,
      ...(domainIndex >= 0 ? { domainFolder: parts[domainIndex]! } : {}),
    };
  }
  return undefined;
}

/**
 * The folders enclosing a file at `path` where a bundle could be, outermost first. A folder
 * inside a bundle is never a bundle, so the outermost one that holds a marker is the file's
 * bundle. `includeSelf` also considers `path` itself as a folder.
 */
export function candidateRoots(layout: BundleLayout, path: string, includeSelf = false): BundleLocation[] {
  const parts = path.split("/").filter(Boolean);
  const last = includeSelf ? parts.length : parts.length - 1;
  const out: BundleLocation[] = [];
  for (let depth = 1; depth <= Math.min(last, layout.maxDepth); depth++) {
    const match = matchRoot(layout, parts.slice(0, depth).join("/"));
    if (match) out.push(match);
  }
  return out;
}

/**
 * Could a folder at `dir` lead to a bundle (a pattern's proper prefix matches it)? Used to
 * prune walks and to tell the hub's folders from the rest of the repository.
 */
export function couldHoldBundles(layout: BundleLayout, dir: string): boolean {
  const parts = dir.split("/").filter(Boolean);
  return layout.patterns.some(
    (p) => p.segments.length > parts.length && parts.every((part, i) => matchesSegment(p.segments[i]!, part)),
  );
}

/** `encoders` holds `encoder`; also accept the singular folder and `-es` plurals (`indexes`). */
export function kindMatchesFolder(kind: string, kindsFolder: string): boolean {
  const folder = kindsFolder.toLowerCase();
  const k = kind.toLowerCase();
  return folder === k || folder === `${k}s` || folder === `${k}es`;
}

/** A hint for a hub whose layout finds nothing: a pattern for a bundle found at `root`. */
export function suggestPattern(root: string, kindIsParent: boolean): string {
  const parts = root.split("/").filter(Boolean);
  const out = parts.map((p) => p);
  out[out.length - 1] = "{name}";
  if (kindIsParent && out.length >= 2) out[out.length - 2] = "{kinds}";
  return out.join("/");
}
