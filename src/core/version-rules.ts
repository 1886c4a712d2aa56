export type BumpVerdict = { ok: true } | { ok: false; message: string };

/** Strict SemVer 2.0.0 (the manifest schema's pattern); numbers of any size. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  prerelease: string[];
}

/**
 * Parse with BigInt parts: `99999999999999999999.0.0` is valid SemVer, and the `semver`
 * package (safe integers only) would call it invalid, which once let such versions skip
 * the bump rule.
 */
export function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)],
    prerelease: m[4] ? m[4].split(".") : [],
  };
}

/** SemVer precedence (§11): -1, 0 or 1; build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a.core[i]! !== b.core[i]!) return a.core[i]! < b.core[i]! ? -1 : 1;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) {
      const [bx, by] = [BigInt(x), BigInt(y)];
      if (bx !== by) return bx < by ? -1 : 1;
    } else if (xNum !== yNum) {
      return xNum ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function nextPatch(v: Version): string {
  // 1.2.3-rc.1 → 1.2.3 (the release), 1.2.3 → 1.2.4, as `semver.inc(…, "patch")` does.
  const [major, minor, patch] = v.core;
  return v.prerelease.length ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch + 1n}`;
}

/**
 * A bundle that existed on the base branch and changed must raise its version.
 * `baseVersion` undefined means the bundle is new (or its base manifest was unreadable):
 * any valid version may start it. An invalid head version is the schema's finding, not this rule's.
 */
export function checkVersionBump(headVersion: string, baseVersion: string | undefined): BumpVerdict {
  const base = baseVersion === undefined ? undefined : parseVersion(baseVersion);
  const head = parseVersion(headVersion);
  if (!base || !head) return { ok: true };
  const order = compareVersions(head, base);
  if (order > 0) return { ok: true };
  const relation = order === 0 ? "is the same as" : "is lower than";
  return {
    ok: false,
    message: `version ${headVersion} ${relation} ${baseVersion} on the base branch; a changed bundle must raise it (for example to ${nextPatch(base)}).`,
  };
}
