import { posix } from "node:path";
import { finding, type Finding } from "./finding.js";
import { DEFAULT_HUB_CONFIG, type FileRules } from "./hub-config.js";

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
  why?: string;
}

const topLevel = (entries: readonly BundleEntry[]) => entries.filter((e) => !e.path.includes("/"));
const isFile = (e: BundleEntry) => e.type === "file" || e.type === "symlink";
const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** Why the seed's files matter, for the message; a hub's own files get a plain "is missing". */
const WHY: Record<string, string> = {
  Dockerfile: "it describes how the image is built",
  "manifest.yml": "it names and describes the image",
  "config.yml": "the executor config (config.yml or another *.yml) tells users how to run the pod",
  "requirements.txt": "it lists the Python packages the executor installs",
  "*.py": "the executor's Python code",
  "tests/": "unit tests for the executor",
};

/** `*` and `?` in a name pattern, matched against a file's base name. */
function namePattern(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** How a file rule entry is found among a bundle's entries (see FileRules in hub-config.ts). */
function presence(name: string): (entries: readonly BundleEntry[]) => boolean {
  if (name === "config.yml")
    return (es) =>
      topLevel(es).some((e) => isFile(e) && /\.ya?ml$/.test(e.path) && e.path !== "manifest.yml");
  if (name.endsWith("/")) {
    const folder = name.slice(0, -1);
    return (es) => es.some((e) => (e.path === folder && e.type === "dir") || e.path.startsWith(`${folder}/`));
  }
  if (/[*?]/.test(name)) {
    const re = namePattern(name);
    return (es) => es.some((e) => isFile(e) && re.test(baseName(e.path)));
  }
  // Dockerfile and manifest.yml are read as files; a hub's other names may be anything.
  const mustBeFile = name === "Dockerfile" || name === "manifest.yml";
  return (es) => topLevel(es).some((e) => e.path === name && (isFile(e) || !mustBeFile));
}

function requirements(rules: FileRules): Requirement[] {
  const make = (level: "error" | "warning") => (name: string) => ({
    name,
    level,
    present: presence(name),
    why: WHY[name],
  });
  return [...rules.required.map(make("error")), ...rules.recommended.map(make("warning"))];
}

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

export function checkBundleFiles(
  bundleRoot: string,
  entries: readonly BundleEntry[],
  rules: FileRules = DEFAULT_HUB_CONFIG.files,
): Finding[] {
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
  for (const requirement of requirements(rules)) {
    if (requirement.present(entries)) continue;
    const miss =
      requirement.name === "Dockerfile" || requirement.name === "manifest.yml"
        ? nearMiss(requirement.name, entries)
        : undefined;
    const message = miss
      ? `required file ${requirement.name} is missing, but "${miss.path}" is here: rename it to ${requirement.name} (names are case-sensitive).`
      : `${requirement.level === "error" ? "required file" : "recommended"} ${requirement.name} is missing${requirement.why ? `: ${requirement.why}` : " (the hub's .hubgate.yml asks for it)"}.`;
    const rule = requirement.level === "error" ? "bundle/missing-file" : "bundle/recommended-file";
    findings.push(finding(miss ? at(miss.path) : at(""), requirement.level, rule, message));
  }
  return findings;
}
