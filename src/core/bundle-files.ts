import { posix } from "node:path";
import { finding, type Finding } from "./finding.js";

/** One entry of a bundle's folder, as listed by whoever reads it (disk, archive). */
export interface BundleEntry {
  /** Relative to the bundle root, forward slashes. */
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  size?: number;
  /** For symlinks: the link text, never followed by hubgate. */
  linkTarget?: string;
}

/**
 * Does a symlink at `entryPath` (relative to the bundle) with `target` point outside the
 * bundle? Pure path arithmetic: absolute targets always escape.
 */
export function symlinkEscapes(entryPath: string, target: string): boolean {
  if (target.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(entryPath), target));
  return resolved === ".." || resolved.startsWith("../");
}

interface Requirement {
  name: string;
  level: "error" | "warning";
  present: (entries: readonly BundleEntry[]) => boolean;
  why: string;
}

const topLevel = (entries: readonly BundleEntry[]) => entries.filter((e) => !e.path.includes("/"));
const isFile = (e: BundleEntry) => e.type === "file" || e.type === "symlink";

const REQUIREMENTS: Requirement[] = [
  {
    name: "Dockerfile",
    level: "error",
    present: (es) => topLevel(es).some((e) => e.path === "Dockerfile" && isFile(e)),
    why: "it describes how the image is built",
  },
  {
    name: "manifest.yml",
    level: "error",
    present: (es) => topLevel(es).some((e) => e.path === "manifest.yml" && isFile(e)),
    why: "it names and describes the image",
  },
  {
    name: "config.yml",
    level: "warning",
    present: (es) =>
      topLevel(es).some((e) => isFile(e) && /\.ya?ml$/.test(e.path) && e.path !== "manifest.yml"),
    why: "the executor config (config.yml or another *.yml) tells users how to run the pod",
  },
  {
    name: "requirements.txt",
    level: "warning",
    present: (es) => topLevel(es).some((e) => e.path === "requirements.txt"),
    why: "it lists the Python packages the executor installs",
  },
  {
    name: "*.py",
    level: "warning",
    present: (es) => es.some((e) => isFile(e) && e.path.endsWith(".py")),
    why: "the executor's Python code",
  },
  {
    name: "tests/",
    level: "warning",
    present: (es) =>
      es.some((e) => e.path === "tests" && e.type === "dir") || es.some((e) => e.path.startsWith("tests/")),
    why: "unit tests for the executor",
  },
];

/** Near-misses that deserve a rename hint rather than a bare "missing". */
function nearMiss(required: string, entries: readonly BundleEntry[]): BundleEntry | undefined {
  const want = required.toLowerCase();
  const stem = want.replace(/\.ya?ml$/, "");
  return topLevel(entries).find((e) => {
    const got = e.path.toLowerCase();
    if (e.path === required) return false;
    if (required === "Dockerfile") return got === "dockerfile" || /^dockerfile\.(txt|docker)$/.test(got);
    if (required === "manifest.yml")
      return got === want || got === `${stem}.yaml` || got === `${stem}.yml.txt`;
    return got === want;
  });
}

export function checkBundleFiles(bundleRoot: string, entries: readonly BundleEntry[]): Finding[] {
  const findings: Finding[] = [];
  const at = (p: string) => (p ? `${bundleRoot}/${p}` : bundleRoot);
  for (const entry of entries) {
    if (
      entry.type === "symlink" &&
      (entry.linkTarget === undefined || symlinkEscapes(entry.path, entry.linkTarget))
    ) {
      findings.push(
        finding(
          at(entry.path),
          "error",
          "bundle/symlink-escape",
          `symlink "${entry.path}" points outside the bundle (${entry.linkTarget ?? "unknown target"}); it is never read. Replace it with the file itself.`,
        ),
      );
    }
  }
  for (const requirement of REQUIREMENTS) {
    if (requirement.present(entries)) continue;
    const miss =
      requirement.name === "Dockerfile" || requirement.name === "manifest.yml"
        ? nearMiss(requirement.name, entries)
        : undefined;
    const message = miss
      ? `required file ${requirement.name} is missing, but "${miss.path}" is here: rename it to ${requirement.name} (names are case-sensitive).`
      : `${requirement.level === "error" ? "required file" : "recommended"} ${requirement.name} is missing: ${requirement.why}.`;
    const rule = requirement.level === "error" ? "bundle/missing-file" : "bundle/recommended-file";
    findings.push(finding(miss ? at(miss.path) : at(""), requirement.level, rule, message));
  }
  return findings;
}
