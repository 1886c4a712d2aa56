import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitRepo } from "../helpers/git-repo.js";
import { bumpVersion, jinaHubBundles, jinaHubFiles } from "../helpers/jina-hub.js";
import { runCli } from "../helpers/run-cli.js";

interface Out {
  conclusion: string;
  bundles: Array<{
    path: string;
    conclusion: string;
    findings: Array<{ file: string; rule: string; message: string; level: string }>;
  }>;
  findings: Array<{ file: string; rule: string; message: string; level: string }>;
  nothingChecked?: { reason: string; message: string };
}
const json = (stdout: string) => JSON.parse(stdout) as Out;

const RANKER = "rankers/LevenshteinRanker";
const TEXT = "encoders/nlp/CLIPTextEncoder";

describe("a real hub at its real layout: jina-hub, mixed depths, as a git repository", () => {
  const bundles = jinaHubBundles();
  let repo: GitRepo;
  let base: string;
  beforeAll(() => {
    repo = new GitRepo();
    for (const [path, text] of Object.entries(jinaHubFiles(bundles))) repo.write(path, text);
    base = repo.commit("the hub");
  });
  afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));
  afterEach(() => {
    repo.git("reset", "-q", "--hard", base);
    repo.git("clean", "-qfd");
  });

  const check = (args: string[], cwd = repo.dir) => {
    const run = runCli(["check", ...args, "--format", "json"], cwd);
    expect(run.stderr).toBe("");
    return { code: run.code, out: json(run.stdout) };
  };

  it("finds every bundle at either depth, and no tests/ folder as a bundle", () => {
    const { out } = check(["."]);
    expect(bundles.filter((b) => b.root.split("/").length === 2).map((b) => b.root)).toEqual([
      "rankers/BiMatchRanker",
      "rankers/LevenshteinRanker",
      "rankers/LightGBMRanker",
      "rankers/SimpleAggregateRanker",
      "trainers/LightGBMRankerTrainer",
    ]);
    expect(out.bundles.map((b) => b.path)).toEqual(bundles.map((b) => b.root).sort());
    expect(out.findings).toEqual([]);
    const rules = new Set(out.bundles.flatMap((b) => b.findings.map((f) => f.rule)));
    expect(rules.has("bundle/missing-file")).toBe(false);
  });

  it("applies the hub's name pattern (3 to 31 characters) instead of the seed's (4 to 21)", () => {
    const long = "TransformersTorchSeqClassifier"; // 30 characters: refused by the seed's rule
    const { out } = check(["classifiers"]);
    const named = out.bundles.find((b) => b.path.endsWith(long))!;
    expect(named.findings.filter((f) => f.rule === "manifest/name")).toEqual([]);
    repo.write(".hubgate.yml", "layout: ['{kinds}/{domain}/{name}', '{kinds}/{name}']\n");
    const seed = check(["classifiers"]).out.bundles.find((b) => b.path.endsWith(long))!;
    expect(seed.findings.map((f) => f.rule)).toContain("manifest/name");
  });

  it("puts the hub root at the repository whatever the path: a kinds folder, a bundle, a folder inside one, a symlink", () => {
    expect(check(["rankers"]).out.bundles.map((b) => b.path)).toEqual(
      bundles.filter((b) => b.kinds === "rankers").map((b) => b.root),
    );
    expect(check([RANKER]).out.bundles.map((b) => b.path)).toEqual([RANKER]);
    expect(check([`${RANKER}/tests`]).out.bundles.map((b) => b.path)).toEqual([RANKER]);
    expect(
      check(["."], join(repo.dir, "encoders/nlp")).out.bundles.every((b) =>
        b.path.startsWith("encoders/nlp/"),
      ),
    ).toBe(true);

    const elsewhere = mkdtempSync(join(tmpdir(), "hubgate-link-"));
    try {
      symlinkSync(join(repo.dir, TEXT), join(elsewhere, "linked"));
      const linked = check(["linked"], elsewhere).out;
      expect(linked.bundles.map((b) => b.path)).toEqual([TEXT]);
      expect(linked.bundles[0]!.findings.every((f) => f.file.startsWith(`${TEXT}/`))).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("--changed-since: a ranker-only change checks the ranker and wants its version raised", () => {
    repo.write(`${RANKER}/tests/test_levenshteinranker.py`, "def test_it():\n    assert 1\n");
    const unbumped = check(["--changed-since", base]);
    expect(unbumped.code).toBe(1);
    expect(unbumped.out.bundles.map((b) => b.path)).toEqual([RANKER]);
    expect(unbumped.out.bundles[0]!.findings.map((f) => f.rule)).toEqual(["manifest/version-bump"]);

    const manifest = join(repo.dir, RANKER, "manifest.yml");
    repo.write(`${RANKER}/manifest.yml`, bumpVersion(readFileSync(manifest, "utf8")));
    const bumped = check(["--changed-since", base]);
    expect(bumped.code).toBe(0);
    expect(bumped.out.bundles.map((b) => [b.path, b.conclusion])).toEqual([[RANKER, "success"]]);
  });

  it("--changed-since: deleting a ranker checks nothing, fails nothing, and says why", () => {
    repo.git("rm", "-rq", "rankers/BiMatchRanker");
    repo.commit("drop a ranker");
    const { code, out } = check(["--changed-since", base]);
    expect(code).toBe(0);
    expect(out.bundles).toEqual([]);
    expect(out.findings).toEqual([]);
    expect(out.nothingChecked).toEqual({
      reason: "only-deleted-bundles",
      message: expect.stringContaining("rankers/BiMatchRanker"),
    });
  });

  it("--changed-since: a moved bundle with changed content keeps its version rule, read from the old place", () => {
    repo.git("mv", TEXT, "encoders/multimodal/CLIPTextEncoder");
    repo.write(
      "encoders/multimodal/CLIPTextEncoder/__init__.py",
      "class CLIPTextEncoder:\n    changed = True\n",
    );
    repo.commit("move and change");
    const { code, out } = check(["--changed-since", base]);
    expect(code).toBe(1);
    expect(out.bundles.map((b) => b.path)).toEqual(["encoders/multimodal/CLIPTextEncoder"]);
    const [bump] = out.bundles[0]!.findings.filter((f) => f.rule === "manifest/version-bump");
    expect(bump!.message).toContain(`moved here from ${TEXT}`);
  });

  it("--changed-since: a change outside every bundle says no bundle changed", () => {
    repo.write("README.md", "# Jina Hub, edited\n");
    const { code, out } = check(["--changed-since", base]);
    expect(code).toBe(0);
    expect(out.nothingChecked?.reason).toBe("no-bundle-changed");
  });

  it("a layout that matches nothing is a warning with a hint to set layout, not a silent pass", () => {
    unlinkSync(join(repo.dir, ".hubgate.yml"));
    const { code, out } = check(["."]);
    expect(code).toBe(0);
    expect(out.bundles).toEqual([]);
    expect(out.nothingChecked?.reason).toBe("layout-matches-nothing");
    expect(out.nothingChecked?.message).toContain("set `layout` in .hubgate.yml");
    expect(out.findings[0]).toMatchObject({ rule: "hub/layout-matches-nothing", level: "warning" });
  });

  it("a loose file in a kinds folder is badly placed; the builder and CI folders are not the hub's", () => {
    repo.write("encoders/nlp/helper.py", "x = 1\n");
    repo.write("builder/new.py", "x = 1\n");
    const { out } = check(["--changed-since", base]);
    expect(out.findings.map((f) => [f.file, f.rule])).toEqual([
      ["encoders/nlp/helper.py", "bundle/badly-placed"],
    ]);
  });
});
