import { compareSemVer, nextPatch, parseSemVer } from "./semver-order.js";

export type BumpVerdict = { ok: true } | { ok: false; message: string };

/**
 * A bundle that existed on the base branch and changed must raise its version.
 * `baseVersion` undefined means the bundle is new (or its base manifest was unreadable):
 * any valid version may start it.
 */
export function checkVersionBump(headVersion: string, baseVersion: string | undefined): BumpVerdict {
  const base = baseVersion === undefined ? undefined : parseSemVer(baseVersion);
  const head = parseSemVer(headVersion);
  if (!base || !head) return { ok: true };
  const order = compareSemVer(head, base);
  if (order > 0) return { ok: true };
  const relation = order === 0 ? "is the same as" : "is lower than";
  return {
    ok: false,
    message: `version ${headVersion} ${relation} ${baseVersion} on the base branch; a changed bundle must raise it (for example to ${nextPatch(base)}).`,
  };
}
