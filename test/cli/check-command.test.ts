import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GitRepo } from "../helpers/git-repo.js";
import { ROOT, runCli } from "../helpers/run-cli.js";

const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const json = (stdout: string) =>
  JSON.parse(stdout) as {
    conclusion: string;
    bundles: Array<Record<string, unknown> & { findings: Array<Record<string, unknown>> }>;
    findings: Array<Record<string, unknown> & { message: string; file: string; rule: string }>;
    nothingChecked?: { reason: string; message: string };
  };

describe("hubgate check (spawned)", () => {
  it("checks the examples: text output, compiler-style lines, summary, exit 1", () => {
    const { code, stdout } = runCli(["check", "examples"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^ {2}examples\/executors\/crafters\/BrokenCrafter\/manifest\.yml:5:10: error: version "v1\.0" .* \[manifest\/version\]$/m,
    );
    expect(stdout).toMatch(
      /^examples\/executors\/encoders\/AwesomeEncoder {2}jinahub\/pod\.encoder\.awesomeencoder:0\.0\.1 {2}ok$/m,
    );
    expect(stdout).toMatch(/4 bundles checked, 2 passed, 2 failed, \d+ errors, \d+ warnings\n$/);
    expect(stdout).not.toContain("\u001b["); // no colour off a TTY
  });

  it("prints the DESIGN.md JSON contract", () => {
    const { code, stdout } = runCli([
      "check",
      "examples/executors/encoders/AwesomeEncoder",
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    expect(json(stdout)).toEqual({
      conclusion: "success",
      findings: [],
      bundles: [
        {
          path: "examples/executors/encoders/AwesomeEncoder",
          kind: "encoder",
          name: "AwesomeEncoder",
          version: "0.0.1",
          image: "jinahub/pod.encoder.awesomeencoder:0.0.1",
          imageReference: {
            namespace: "jinahub",
            component: "pod.encoder.awesomeencoder",
            repository: "jinahub/pod.encoder.awesomeencoder",
            tag: "0.0.1",
            reference: "jinahub/pod.encoder.awesomeencoder:0.0.1",
            version: "0.0.1",
          },
          conclusion: "success",
          findings: [],
          smoke: [],
        },
      ],
    });
  });

  it("reports findings with 1-based positions relative to the repository root", () => {
    const { stdout } = runCli(["check", "examples/executors/crafters", "--format", "json"]);
    const [bundle] = json(stdout).bundles;
    expect(bundle!.findings).toContainEqual({
      file: "examples/executors/crafters/BrokenCrafter/manifest.yml",
      line: 6,
      column: 10,
      endLine: 6,
      endColumn: 20,
      level: "error",
      rule: "manifest/license",
      message: 'license "Apache-2.0" is not one of the accepted keys; did you mean "apache-2.0"?',
    });
  });

  it("exits 2 on usage errors and missing paths", () => {
    expect(runCli(["check", "--format", "xml"]).code).toBe(2);
    expect(runCli(["check", "no/such/dir"]).code).toBe(2);
    expect(runCli(["frobnicate"]).code).toBe(2);
  });

  it("runs over all 102 real jina-hub manifests without crashing", () => {
    // A copy of ../shared/corpus/jina-hub, so the test runs wherever the repository is cloned.
    const { code, stdout, stderr } = runCli([
      "check",
      join(ROOT, "test/fixtures/jina-hub"),
      "--format",
      "json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const result = json(stdout);
    expect(result.bundles).toHaveLength(102);
    const rules = new Set(result.bundles.flatMap((b) => b.findings.map((f) => f.rule)));
    expect([...rules].sort()).toEqual([
      "bundle/missing-file",
      "bundle/recommended-file",
      "manifest/kind-folder",
      "manifest/name",
      "manifest/url",
    ]);
  });

  describe("--changed-since in a real git repository", () => {
    let repo: GitRepo;
    let base: string;
    beforeEach(() => {
      repo = new GitRepo().copy(AWESOME, "executors/encoders/AwesomeEncoder").write("README.md", "hub\n");
      base = repo.commit("base");
    });
    afterEach(() => rmSync(repo.dir, { recursive: true, force: true }));

    it("checks nothing when nothing in a bundle changed", () => {
      repo.write("README.md", "changed\n").commit("docs");
      const { code, stdout } = runCli(["check", "--changed-since", base, "--format", "json"], repo.dir);
      expect(code).toBe(0);
      expect(json(stdout).bundles).toEqual([]);
    });

    it("requires a version bump for a changed bundle, at the version line", () => {
      repo.write("executors/encoders/AwesomeEncoder/__init__.py", "# changed\n");
      const { code, stdout } = runCli(["check", "--changed-since", base, "--format", "json"], repo.dir);
      expect(code).toBe(1);
      expect(json(stdout).bundles[0]!.findings).toEqual([
        expect.objectContaining({
          file: "executors/encoders/AwesomeEncoder/manifest.yml",
          line: 9,
          column: 10,
          rule: "manifest/version-bump",
        }),
      ]);
    });

    it("passes once the version is raised, and checks new and renamed bundles (untracked too)", () => {
      const manifest = join(repo.dir, "executors/encoders/AwesomeEncoder/manifest.yml");
      repo.write(
        "executors/encoders/AwesomeEncoder/manifest.yml",
        readFileSync(manifest, "utf8").replace("0.0.1", "0.0.2"),
      );
      repo.copy(AWESOME, "executors/encoders/SecondEncoder");
      repo.write("executors/stray.py", "x = 1\n");
      const { stdout } = runCli(["check", "--changed-since", base, "--format", "json"], repo.dir);
      const result = json(stdout);
      expect(result.bundles.map((b) => [b.path, b.conclusion])).toEqual([
        ["executors/encoders/AwesomeEncoder", "success"],
        ["executors/encoders/SecondEncoder", "success"],
      ]);
      expect(result.findings).toEqual([
        expect.objectContaining({ file: "executors/stray.py", rule: "bundle/badly-placed" }),
      ]);
    });

    it("skips a removed bundle", () => {
      repo.git("rm", "-rq", "executors/encoders/AwesomeEncoder");
      const { code, stdout } = runCli(["check", "--changed-since", base, "--format", "json"], repo.dir);
      expect(code).toBe(0);
      expect(json(stdout).bundles).toEqual([]);
    });

    it("reads the layout from .hubgate.yml (jina-hub layout)", () => {
      repo.git("rm", "-rq", "executors");
      repo
        .write(".hubgate.yml", "layout: '{kinds}/{domain}/{name}'\n")
        .copy(AWESOME, "encoders/nlp/TextEncoder");
      const { stdout } = runCli(["check", ".", "--format", "json"], repo.dir);
      expect(json(stdout).bundles.map((b) => b.path)).toEqual(["encoders/nlp/TextEncoder"]);
    });

    it("reports an invalid hub config as findings at their lines, checking nothing (exit 1)", () => {
      repo.write(".hubgate.yml", "namespace: jinahub\nlayout: 42\nbogus: true\n");
      const { code, stdout } = runCli(["check", ".", "--format", "json"], repo.dir);
      expect(code).toBe(1);
      const result = json(stdout);
      expect(result.bundles).toEqual([]);
      expect(result.findings).toEqual([
        expect.objectContaining({
          file: ".hubgate.yml",
          line: 2,
          column: 9,
          rule: "config/invalid",
          message: ".hubgate.yml: layout must be string or array.",
        }),
        expect.objectContaining({ file: ".hubgate.yml", line: 3, column: 1, rule: "config/invalid" }),
      ]);
      expect(result.findings[1]!.message).toContain('unknown key "bogus"');
    });

    it("exits 2 for an unknown ref", () => {
      expect(runCli(["check", "--changed-since", "no-such-ref"], repo.dir).code).toBe(2);
    });
  });
});
