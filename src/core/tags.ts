import { finding, type Finding, type Position } from "./finding.js";
import type { RuleId } from "./rules.js";

/**
 * Image tags besides the version (seed: jina hub push -t / --protected-tag).
 *
 * - The version is always tagged, and protected: never overwritten with other content.
 * - Extra tags come from the hub config, the manifest (`tags:`) and `hubgate publish -t`.
 *   With none anywhere the image is tagged `latest`; once tags are given, `latest` is only
 *   applied when it is named too. `latest` only ever moves forward (see publisher.ts).
 * - Protected tags (`protected_tags:`, `--protected-tag`) are pushed once and never again.
 */
export const LATEST = "latest";
/** Docker's tag grammar: a word character, then up to 127 word characters, `.` or `-`. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:[+_][0-9A-Za-z.-]+)?$/;

export interface TagSelection {
  tags: string[];
  protectedTags: string[];
}

/** The union of every source, in order, without repeats (no default applied). */
export function mergeTags(...sources: Array<Partial<TagSelection> | undefined>): TagSelection {
  const union = (pick: (s: Partial<TagSelection>) => string[] | undefined) => [
    ...new Set(sources.flatMap((s) => (s ? (pick(s) ?? []) : []))),
  ];
  return { tags: union((s) => s.tags), protectedTags: union((s) => s.protectedTags) };
}

/** The plain tags a publish applies: the ones given, or `latest` when none are. */
export function tagsToApply(tags: readonly string[] | undefined): string[] {
  return tags && tags.length > 0 ? [...tags] : [LATEST];
}

export interface TagProblem {
  rule: RuleId;
  message: string;
}

/** Why a tag cannot be used, or undefined. Shared by manifest findings and CLI usage errors. */
export function tagProblem(
  tag: string,
  kind: "tag" | "protected",
  protectedTags: readonly string[],
): TagProblem | undefined {
  const shown = JSON.stringify(tag.length > 60 ? `${tag.slice(0, 60)}…` : tag);
  if (!DOCKER_TAG.test(tag))
    return {
      rule: "tags/invalid",
      message: `${shown} is not a valid Docker tag: up to 128 letters, digits, _, . and -, not starting with . or -.`,
    };
  if (SEMVER.test(tag))
    return {
      rule: "tags/version",
      message: `${shown} is a version: versions are tagged (and protected) from manifest.yml's version, so a tag named like one would collide with that bundle version's tag. Use a name such as gpu or stable.`,
    };
  if (kind === "protected" && tag === LATEST)
    return {
      rule: "tags/latest-protected",
      message: `"latest" cannot be protected: it moves forward with every newer version.`,
    };
  if (kind === "tag" && protectedTags.includes(tag))
    return {
      rule: "tags/protected-collision",
      message: `${shown} is also a protected tag: a protected tag is pushed once and never moved, so it cannot be an ordinary tag too. Keep it in one list.`,
    };
  return undefined;
}

/**
 * Findings for `tags:` and `protected_tags:` of one manifest, each on its list item's line.
 * `hubProtected` are the hub config's protected tags, which an ordinary tag may not reuse.
 */
export function checkManifestTags(
  file: string,
  raw: Record<string, unknown>,
  positionAt: (path: Array<string | number>) => Position,
  hubProtected: readonly string[],
): Finding[] {
  const strings = (key: string) =>
    Array.isArray(raw[key])
      ? (raw[key] as unknown[]).flatMap((v, i) => (typeof v === "string" ? [{ tag: v, index: i }] : []))
      : [];
  const protectedItems = strings("protected_tags");
  const protectedTags = [...hubProtected, ...protectedItems.map((p) => p.tag)];
  const findings: Finding[] = [];
  for (const [key, kind] of [
    ["tags", "tag"],
    ["protected_tags", "protected"],
  ] as const) {
    for (const { tag, index } of strings(key)) {
      const problem = tagProblem(tag, kind, protectedTags);
      if (problem)
        findings.push(
          finding(file, "error", problem.rule, `${key}: ${problem.message}`, positionAt([key, index])),
        );
    }
  }
  return findings;
}
