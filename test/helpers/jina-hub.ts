/**
 * The public jina-hub at its real layout, rebuilt from the vendored manifests: most bundles
 * at <kinds>/<domain>/<Name>/, rankers and trainers at <kinds>/<Name>/. Each manifest's own
 * documentation link says where its bundle lived (…/jina-hub/blob/master/<where>/README.md).
 * Every bundle also gets what a real one holds: a Dockerfile, Python code, tests/ and imgs/.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChangedPath } from "../../src/core/changed-bundles.js";
import { GitRepo } from "./git-repo.js";
import { ROOT } from "./run-cli.js";
import { parseNameStatus } from "../../src/git/git.js";

const CORPUS = join(ROOT, "test/fixtures/jina-hub/executors");

/** jina-hub's own rules, as a .hubgate.yml (README "Using hubgate on an existing hub"). */
export const JINA_HUB_CONFIG = `# jina-hub: most bundles at <kinds>/<domain>/<Name>/, rankers and trainers at <kinds>/<Name>/.
layout:
  - "{kinds}/{domain}/{name}"
  - "{kinds}/{name}"
# jina-hub's builder accepted names of 3 to 31 characters.
namePattern: '^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{2,30}$'
versionBump: error
`;

export interface JinaBundle {
  /** Where the bundle sits in the hub, e.g. `encoders/nlp/CLIPTextEncoder`. */
  root: string;
  kinds: string;
  name: string;
}

/** Every vendored bundle and its place in the real hub. */
export function jinaHubBundles(): JinaBundle[] {
  const out: JinaBundle[] = [];
  for (const kinds of readdirSync(CORPUS).sort()) {
    for (const name of readdirSync(join(CORPUS, kinds)).sort()) {
      const manifest = readFileSync(join(CORPUS, kinds, name, "manifest.yml"), "utf8");
      const where = /jina-hub\/(?:blob|tree)\/master\/(.+?)\/README\.md/.exec(manifest)?.[1];
      out.push({ root: where ?? `${kinds}/general/${name}`, kinds, name });
    }
  }
  return out;
}

/** The files of the hub: every bundle with its real manifest and config, plus the usual rest. */
export function jinaHubFiles(bundles = jinaHubBundles()): Record<string, string> {
  const files: Record<string, string> = {
    "README.md": "# Jina Hub\n",
    ".github/workflows/ci.yml": "on: push\n",
    "builder/app.py": "print('the old builder')\n",
    ".hubgate.yml": JINA_HUB_CONFIG,
  };
  for (const b of bundles) {
    const source = join(CORPUS, b.kinds, b.name);
    for (const file of readdirSync(source))
      files[`${b.root}/${file}`] = readFileSync(join(source, file), "utf8");
    files[`${b.root}/Dockerfile`] = 'FROM jinaai/jina:1.0\nCOPY . /\nENTRYPOINT ["jina", "pod"]\n';
    files[`${b.root}/requirements.txt`] = "jina\n";
    files[`${b.root}/__init__.py`] = `class ${b.name}:\n    pass\n`;
    files[`${b.root}/tests/__init__.py`] = "";
    files[`${b.root}/tests/test_${b.name.toLowerCase()}.py`] = "def test_it():\n    assert True\n";
    files[`${b.root}/imgs/logo.txt`] = "a logo\n";
  }
  return files;
}

/** A manifest's version raised by one patch: `version: 0.0.14` → `version: 0.0.15`. */
export function bumpVersion(manifest: string): string {
  return manifest.replace(
    /^version: (\d+)\.(\d+)\.(\d+)/m,
    (_, a, b, c) => `version: ${a}.${b}.${Number(c) + 1}`,
  );
}

/** The changes between two commits as git sees them (renames detected), like the platforms list them. */
export function gitChanges(dir: string, base: string, head: string): ChangedPath[] {
  const out = execFileSync("git", ["diff", "--name-status", "-z", "-M", base, head], {
    cwd: dir,
    encoding: "utf8",
  });
  return parseNameStatus(out);
}

export interface HubChange {
  base: Record<string, string>;
  head: Record<string, string>;
  /** As `git diff -M` lists them: what GitHub's pull request files and GitLab's diffs carry. */
  changes: ChangedPath[];
}

/**
 * A change made with real git: `base` committed, `change` run on the work tree, committed,
 * and diffed with git's rename detection. Returns both trees and the change list.
 */
export function hubChange(base: Record<string, string>, change: (repo: GitRepo) => void): HubChange {
  const repo = new GitRepo();
  try {
    for (const [path, text] of Object.entries(base)) repo.write(path, text);
    const before = repo.commit("base");
    change(repo);
    const after = repo.commit("head");
    const changes = gitChanges(repo.dir, before, after);
    const head = { ...base };
    for (const c of changes) {
      if (c.previousPath) delete head[c.previousPath];
      if (c.status === "removed") delete head[c.path];
      else head[c.path] = readFileSync(join(repo.dir, c.path), "utf8");
    }
    return { base, head, changes };
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }
}
