import semver from "semver";

export type BumpVerdict = { ok: true } | { ok: false; message: string };

/**
 * A bundle that existed on the base branch and changed must raise its version.
 * `baseVersion` undefined means the bundle is new (or its base manifest was unreadable):
 * any valid version may start it.
 */
export function checkVersionBump(headVersion: string, baseVersion: string | undefined): BumpVerdict {
  if (baseVersion === undefined || !semver.valid(baseVersion, { loose: false }) || !semver.valid(headVersion))
    return { ok: true };
  if (semver.gt(headVersion, baseVersion)) return { ok: true };
  const next = semver.inc(baseVersion, "patch");
  const relation = semver.eq(headVersion, baseVersion) ? "is the same as" : "is lower than";
  return {
    ok: false,
    message: `version ${headVersion} ${relation} ${baseVersion} on the base branch; a changed bundle must raise it (for example to ${next}).`,
  };
}
