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

/** A bundle folder as walked: its entries, and where the walk could not see everything. */
export interface BundleListing {
  entries: BundleEntry[];
  /** The walk hit its entry cap: what lies beyond was not listed (symlinks excepted). */
  truncated: boolean;
  /** Folders that could not be read (relative to the bundle; "" is the bundle itself). */
  unreadable: string[];
}

/** Why a file the checks need could not be used (found by whoever read it). */
export interface FileProblem {
  /** Relative to the bundle root. */
  file: string;
  kind: "not-a-file" | "unreadable" | "too-large" | "encoding";
  detail: string;
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
  // Any entry of that name counts: the readers report a Dockerfile or manifest.yml that is
  // not a regular file (bundle/not-a-file), which says more than "missing".
  return (es) => topLevel(es).some((e) => e.path === name);
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

/** At most this many "unreadable" findings per bundle: one is enough to act on. */
const MAX_UNREADABLE_FINDINGS = 20;

/**
 * Findings about how the bundle could be read: unreadable folders, a walk cut short, and the
 * required files that are not regular files (a FIFO, device, folder, dangling or looping
 * link), unreadable, too large or badly encoded. Never a silent pass, never "missing".
 */
export function checkBundleReads(
  bundleRoot: string,
  listing: Pick<BundleListing, "truncated" | "unreadable">,
  problems: readonly FileProblem[],
): Finding[] {
  const findings: Finding[] = [];
  const at = (p: string) => (p ? `${bundleRoot}/${p}` : bundleRoot);
  for (const dir of listing.unreadable.slice(0, MAX_UNREADABLE_FINDINGS)) {
    findings.push(
      finding(
        at(dir),
        "error",
        "bundle/unreadable",
        `the folder ${dir ? `"${dir}"` : "of the bundle"} cannot be read (permission denied or gone), so its files were not checked; make it readable.`,
      ),
    );
  }
  if (listing.truncated) {
    findings.push(
      finding(
        at(""),
        "error",
        "bundle/too-many-files",
        "the bundle holds more than 20000 files and folders; only the first were checked. Remove generated files and data from the bundle.",
      ),
    );
  }
  for (const problem of problems) {
    const file = at(problem.file);
    if (problem.kind === "too-large" && problem.file === "manifest.yml") {
      findings.push(
        finding(
          file,
          "error",
          "manifest/too-large",
          `manifest.yml is too large (${problem.detail}); a manifest holds metadata only.`,
        ),
      );
    } else if (problem.kind === "too-large") {
      findings.push(
        finding(
          file,
          "error",
          "bundle/file-too-large",
          `${problem.file} is too large (${problem.detail}); it is not read.`,
        ),
      );
    } else if (problem.kind === "encoding") {
      findings.push(finding(file, "error", "manifest/encoding", `${problem.file} ${problem.detail}.`));
    } else if (problem.kind === "unreadable") {
      findings.push(
        finding(
          file,
          "error",
          "bundle/unreadable",
          `${problem.file} cannot be read (${problem.detail}); make it readable.`,
        ),
      );
    } else {
      findings.push(
        finding(
          file,
          "error",
          "bundle/not-a-file",
          `${problem.file} is ${problem.detail}, not a regular file, so it was not read; replace it with a regular file.`,
        ),
      );
    }
  }
  return findings;
}

export function checkBundleFiles(
  bundleRoot: string,
  entries: readonly BundleEntry[],
  rules: FileRules = DEFAULT_HUB_CONFIG.files,
  listing: Pick<BundleListing, "truncated" | "unreadable"> = { truncated: false, unreadable: [] },
): Finding[] {
  const findings: Finding[] = [];
  const at = (p: string) => (p ? `${bundleRoot}/${p}` : bundleRoot);
  // The bundle's own folder unreadable: nothing is known about its files, so none is "missing".
  if (listing.unreadable.includes("")) return findings;
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
    // A cut-short or partly unreadable walk cannot tell a recommended file is absent.
    if (requirement.level === "warning" && (listing.truncated || listing.unreadable.length > 0)) continue;
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
