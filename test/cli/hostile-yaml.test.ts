import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitRepo } from "../helpers/git-repo.js";
import { CLI, ROOT } from "../helpers/run-cli.js";

/** Hostile YAML, hostile refs and colliding names, through the spawned CLI. */
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const BUNDLE = "executors/encoders/AwesomeEncoder";
const MANIFEST = readFileSync(join(AWESOME, "manifest.yml"), "utf8");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
type JsonFinding = { file: string; line: number; rule: string; message: string; level: string };

function check(cwd: string, args: string[]): Run {
  const result = spawnSync(process.execPath, [CLI, "check", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const errorsOf = (run: Run): JsonFinding[] => {
  const parsed = JSON.parse(run.stdout) as {
    bundles: Array<{ findings: JsonFinding[] }>;
    findings: JsonFinding[];
  };
  return [...parsed.findings, ...parsed.bundles.flatMap((b) => b.findings)].filter(
    (f) => f.level === "error",
  );
};

describe("hostile YAML and refs (spawned CLI)", () => {
  let repo: GitRepo;
  beforeEach(() => {
    repo = new GitRepo();
    cpSync(AWESOME, join(repo.dir, BUNDLE), { recursive: true });
  });
  afterEach(() => rmSync(repo.dir, { recursive: true, force: true }));

  const manifest = (content: string | Buffer) =>
    writeFileSync(join(repo.dir, BUNDLE, "manifest.yml"), content);
  const errors = (args: string[] = []) => errorsOf(check(repo.dir, [".", "--format", "json", ...args]));

  it("reads CR-only line breaks and a lone CR after a closing bracket at the end", () => {
    manifest(MANIFEST.replace(/\n/g, "\r"));
    expect(errors()).toEqual([]);
    manifest(MANIFEST.trimEnd() + "\r");
    expect(MANIFEST.trimEnd().endsWith("]")).toBe(true);
    expect(errors()).toEqual([]);
    manifest(MANIFEST.replace(/\n/g, "\r\n"));
    expect(errors()).toEqual([]);
  });

  it("decodes UTF-16 and UTF-32 with a byte order mark; other bytes are one encoding finding", () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MANIFEST, "utf16le")]);
    manifest(utf16le);
    expect(errors()).toEqual([]);
    const utf32be = Buffer.alloc(4 + MANIFEST.length * 4);
    utf32be.writeUInt32BE(0xfeff, 0);
    [...MANIFEST].forEach((c, i) => utf32be.writeUInt32BE(c.codePointAt(0)!, 4 + i * 4));
    manifest(utf32be);
    expect(errors()).toEqual([]);
    manifest(Buffer.concat([Buffer.from(MANIFEST), Buffer.from([0xc3, 0x28])]));
    expect(errors().map((f) => f.rule)).toEqual(["manifest/encoding"]);
  });

  it("reports NUL and other characters YAML forbids at their place", () => {
    manifest(MANIFEST.replace("awesome vectors", "awesome\u0000vectors"));
    expect(errors().map((f) => [f.rule, f.line])).toEqual([["manifest/encoding", 5]]);
    manifest(MANIFEST.replace("awesome vectors", "awesome\u001bvectors"));
    expect(errors()[0]!.message).toContain("U+001B");
  });

  it.each([
    ["100,000 open brackets", `${MANIFEST}extra: ${"[".repeat(100_000)}\n`],
    ["5,000 balanced brackets", `${MANIFEST}extra: ${"[".repeat(5000)}${"]".repeat(5000)}\n`],
    [
      "700 nested block mappings",
      MANIFEST + Array.from({ length: 700 }, (_, i) => `${" ".repeat(i)}k:`).join("\n"),
    ],
    ["2,000 compact nested sequences", `${MANIFEST}extra:\n${"- ".repeat(2000)}x\n`],
    [
      "an unclosed flow sequence",
      MANIFEST.replace("keywords: [text, encoder, example]", "keywords: [text, encoder"),
    ],
  ])("%s: one finding, never an engine message", (_, text) => {
    manifest(text);
    const found = errors();
    expect(found.map((f) => f.rule)).toEqual(["manifest/yaml"]);
    expect(found[0]!.message).not.toMatch(/call stack|RangeError|RESOURCE_EXHAUSTION/);
  });

  it("compares versions beyond safe integers in the bump rule", () => {
    const huge = "99999999999999999999.0.0";
    manifest(MANIFEST.replace("version: 0.0.1", `version: ${huge}`));
    const base = repo.commit("huge version");
    writeFileSync(join(repo.dir, BUNDLE, "requirements.txt"), "numpy\n");
    const same = errors(["--changed-since", base]);
    expect(same.map((f) => f.rule)).toEqual(["manifest/version-bump"]);
    expect(same[0]!.message).toContain("for example to 99999999999999999999.0.1");
    manifest(MANIFEST.replace("version: 0.0.1", "version: 99999999999999999999.0.1"));
    expect(errors(["--changed-since", base])).toEqual([]);
    manifest(MANIFEST.replace("version: 0.0.1", "version: 9999999999999999999.9.9"));
    expect(errors(["--changed-since", base]).map((f) => f.rule)).toEqual(["manifest/version-bump"]);
  });

  it("refuses a --changed-since ref starting with '-' (exit 2, nothing run)", () => {
    repo.commit("base");
    for (const ref of ["--output=/tmp/hubgate-pwned", "-p"]) {
      const run = check(repo.dir, [".", `--changed-since=${ref}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('a ref cannot start with "-"');
    }
  });

  it("reads the hub config from REF with --changed-since: a change cannot loosen its own rules", () => {
    writeFileSync(join(repo.dir, ".hubgate.yml"), "requireVersionBump: true\n");
    const base = repo.commit("base");
    writeFileSync(join(repo.dir, ".hubgate.yml"), "requireVersionBump: false\n");
    writeFileSync(join(repo.dir, BUNDLE, "requirements.txt"), "numpy\n");
    expect(errors(["--changed-since", base]).map((f) => f.rule)).toEqual(["manifest/version-bump"]);
    // Without a REF the working tree's config is the hub's.
    expect(errors()).toEqual([]);
  });

  it("two bundles making the same image are an error on both name lines", () => {
    cpSync(AWESOME, join(repo.dir, "executors/encoders/Twin"), { recursive: true });
    writeFileSync(
      join(repo.dir, "executors/encoders/Twin/manifest.yml"),
      MANIFEST.replace("name: AwesomeEncoder", "name: awesomeENCODER"),
    );
    const found = errors();
    expect(found.map((f) => [f.file, f.line, f.rule])).toEqual([
      [`${BUNDLE}/manifest.yml`, 2, "image/duplicate"],
      ["executors/encoders/Twin/manifest.yml", 2, "image/duplicate"],
    ]);
    writeFileSync(
      join(repo.dir, "executors/encoders/Twin/manifest.yml"),
      MANIFEST.replace("name: AwesomeEncoder", "name: Awesome  Encoder").replace(
        "keywords",
        "extra: 1\nkeywords",
      ),
    );
    writeFileSync(
      join(repo.dir, BUNDLE, "manifest.yml"),
      MANIFEST.replace("name: AwesomeEncoder", "name: awesome encoder"),
    );
    expect(errors().filter((f) => f.rule === "image/duplicate")).toHaveLength(2);
  });
});
