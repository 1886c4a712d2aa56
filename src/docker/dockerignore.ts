import { posix } from "node:path";

/**
 * A `.dockerignore` matcher following the Docker CLI's rules (moby `patternmatcher`), so a
 * bundle builds the same under hubgate as under `docker build`:
 * - one pattern per line; lines starting with `#` are comments; blank lines are skipped;
 * - `*` matches within one path segment, `?` one character, `**` any number of segments,
 *   `[...]` a character class, `\` escapes;
 * - a leading `!` re-includes what earlier patterns excluded; the last matching pattern wins;
 * - a pattern matching a directory excludes everything below it.
 */
interface Pattern {
  regex: RegExp;
  /** Number of path segments, to match a file's parent directories as Docker does. */
  segments: number;
  exclusion: boolean;
}

export interface DockerIgnore {
  /** Is this path (relative to the context, forward slashes) left out of the context? */
  ignores(path: string): boolean;
  /** Are there `!` patterns? Then an ignored directory may still hold included files. */
  readonly hasExceptions: boolean;
}

export function parseDockerIgnore(source: string): DockerIgnore {
  const patterns: Pattern[] = [];
  for (const raw of source.split(/\r?\n/)) {
    if (raw.startsWith("#")) continue;
    let text = raw.trim();
    if (text === "") continue;
    const exclusion = text.startsWith("!");
    if (exclusion) text = text.slice(1).trim();
    text = cleanPattern(text);
    if (text === "") continue;
    patterns.push({ regex: patternToRegex(text), segments: text.split("/").length, exclusion });
  }
  return {
    hasExceptions: patterns.some((p) => p.exclusion),
    ignores: (path) => matches(patterns, path),
  };
}

function cleanPattern(pattern: string): string {
  let cleaned = posix.normalize(pattern);
  if (cleaned.length > 1 && cleaned.endsWith("/")) cleaned = cleaned.slice(0, -1);
  if (cleaned.length > 1 && cleaned.startsWith("/")) cleaned = cleaned.slice(1);
  return cleaned === "." ? "" : cleaned;
}

function matches(patterns: readonly Pattern[], path: string): boolean {
  const parentSegments = posix.dirname(path).split("/");
  const hasParent = posix.dirname(path) !== ".";
  let ignored = false;
  for (const pattern of patterns) {
    // An exception can only re-include something already excluded.
    if (pattern.exclusion && !ignored) continue;
    let hit = pattern.regex.test(path);
    if (!hit && hasParent && pattern.segments <= parentSegments.length) {
      hit = pattern.regex.test(parentSegments.slice(0, pattern.segments).join("/"));
    }
    if (hit) ignored = !pattern.exclusion;
  }
  return ignored;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;
const escapeRegex = (text: string) => text.replace(REGEX_SPECIAL, "\\$&");

export function patternToRegex(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") i++;
        out += i + 1 >= pattern.length ? ".*" : "(?:.*/)?";
      } else {
        out += "[^/]*";
      }
    } else if (ch === "?") {
      out += "[^/]";
    } else if (ch === "\\" && i + 1 < pattern.length) {
      i++;
      out += escapeRegex(pattern[i] as string);
    } else if (ch === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      // A class never matches the separator, as in Go's filepath.Match.
      out += `[${negated ? "^/" : ""}${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else {
      out += escapeRegex(ch);
    }
  }
  return new RegExp(`^${out}$`);
}
