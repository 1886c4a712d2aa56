/**
 * Image names are unique across the whole hub: a bundle added as `"awesomeencoder "` next to
 * an unchanged (or unselected) AwesomeEncoder would publish into its repository. Through the
 * spawned CLI, in a real git repository (--changed-since) and with path selections.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { GitRepo } from "../helpers/git-repo.js";
import { CLI, ROOT } from "../helpers/run-cli.js";

const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const ORIGINAL = "executors/encoders/AwesomeEncoder";
const TWIN = "executors/encoders/AwesomeTwin";
const MANIFEST = readFileSync(join(AWESOME, "manifest.yml"), "utf8");

interface JsonFinding {
  file: string;
  line?: number;
  rule: string;
  message: string;
}
interface JsonResult {
  bundles: Array<{ path: string; conclusion: string; findings: JsonFinding[] }>;
}

/** The spawned CLI, with a hard timeout: a hang on a hostile manifest fails instead of freezing. */
function check(cwd: string, args: string[]): { code: number | null; result: JsonResult; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, "check", ...args, "--format", "json"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return { code: run.status, result: JSON.parse(run.stdout) as JsonResult, stderr: run.stderr };
}

const duplicates = (result: JsonResult) =>
  result.bundles.flatMap((b) =>
    b.findings.filter((f) => f.rule === "image/duplicate").map((f) => [f.file, f.line, f.message]),
  );

describe("image names across the whole hub (CLI)", () => {
  let repo: GitRepo;
  let base: string;
  beforeEach(() => {
    repo = new GitRepo().copy(AWESOME, ORIGINAL).write("README.md", "hub\n");
    base = repo.commit("base");
    // The new twin: its name differs only in case and a trailing space.
    repo
      .copy(AWESOME, TWIN)
      .write(`${TWIN}/manifest.yml`, MANIFEST.replace(/^name: .*$/m, 'name: "awesomeencoder "'));
  });
  afterEach(() => rmSync(repo.dir, { recursive: true, force: true }));

  it("--changed-since: a new twin of an unchanged bundle is an error on its name: line, naming the twin", () => {
    repo.commit("add a twin");
    const { code, result } = check(repo.dir, ["--changed-since", base]);
    expect(code).toBe(1);
    expect(result.bundles.map((b) => b.path)).toEqual([TWIN]);
    expect(duplicates(result)).toEqual([
      [`${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${ORIGINAL}:`)],
    ]);
  });

  it("--changed-since: uncommitted twin and a hub in a sub-folder of the repository", () => {
    const hub = new GitRepo()
      .write("hub/.hubgate.yml", "namespace: jinahub\n")
      .copy(AWESOME, `hub/${ORIGINAL}`);
    try {
      const start = hub.commit("base");
      hub
        .copy(AWESOME, `hub/${TWIN}`)
        .write(`hub/${TWIN}/manifest.yml`, MANIFEST.replace("AwesomeEncoder", "Awesome Encoder"));
      hub.copy(AWESOME, `hub/${ORIGINAL}-not-a-twin`);
      // Not a twin of anything: a different name (its own check passes).
      hub.write(
        `hub/${ORIGINAL}-not-a-twin/manifest.yml`,
        MANIFEST.replace("AwesomeEncoder", "OtherEncoder"),
      );
      hub.commit("twin in a hub below the top level");
      const { result } = check(join(hub.dir, "hub"), ["--changed-since", start]);
      expect(duplicates(result)).toEqual([]);
      // "Awesome Encoder" makes awesome-encoder, not awesomeencoder: a twin needs the same image.
      hub.write(`hub/${TWIN}/manifest.yml`, MANIFEST.replace("name: AwesomeEncoder", "name: AWESOMEencoder"));
      const again = check(join(hub.dir, "hub"), ["--changed-since", start]);
      expect(again.code).toBe(1);
      expect(duplicates(again.result)).toEqual([
        [`hub/${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of hub/${ORIGINAL}:`)],
      ]);
    } finally {
      rmSync(hub.dir, { recursive: true, force: true });
    }
  });

  it("path selections: the selected bundle is checked against the unselected one, either way round", () => {
    const twin = check(repo.dir, [TWIN]);
    expect(twin.code).toBe(1);
    expect(duplicates(twin.result)).toEqual([
      [`${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${ORIGINAL}:`)],
    ]);
    const original = check(repo.dir, [ORIGINAL]);
    expect(original.code).toBe(1);
    expect(duplicates(original.result)).toEqual([
      [`${ORIGINAL}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${TWIN}:`)],
    ]);
    // Both checked: an error on both lines, each naming the other (and only once).
    const both = check(repo.dir, ["executors"]);
    expect(duplicates(both.result)).toEqual([
      [`${ORIGINAL}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${TWIN}:`)],
      [`${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${ORIGINAL}:`)],
    ]);
  });

  it("an unselected twin spelt with YAML escapes is still found (the cheap text filter lets escapes through)", () => {
    repo.write(`${TWIN}/manifest.yml`, MANIFEST.replace(/^name: .*$/m, 'name: "\\x41wesome\\x45ncoder"'));
    const original = check(repo.dir, [ORIGINAL]);
    expect(duplicates(original.result)).toEqual([
      [`${ORIGINAL}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${TWIN}:`)],
    ]);
    // Not a twin: a name that only shares letters with it.
    repo.write(`${TWIN}/manifest.yml`, MANIFEST.replace(/^name: .*$/m, "name: AwesomeEncoderTwin"));
    expect(duplicates(check(repo.dir, [ORIGINAL]).result)).toEqual([]);
  });

  it("hostile manifests of other bundles cost nothing: a FIFO and a link to /dev/zero are no claim", () => {
    repo.copy(AWESOME, "executors/encoders/FifoEncoder");
    rmSync(join(repo.dir, "executors/encoders/FifoEncoder/manifest.yml"));
    execFileSync("mkfifo", [join(repo.dir, "executors/encoders/FifoEncoder/manifest.yml")]);
    repo.copy(AWESOME, "executors/encoders/ZeroEncoder");
    rmSync(join(repo.dir, "executors/encoders/ZeroEncoder/manifest.yml"));
    symlinkSync("/dev/zero", join(repo.dir, "executors/encoders/ZeroEncoder/manifest.yml"));
    const { code, result } = check(repo.dir, [TWIN]);
    expect(code).toBe(1);
    expect(result.bundles.map((b) => b.path)).toEqual([TWIN]);
    expect(duplicates(result)).toEqual([
      [`${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${ORIGINAL}:`)],
    ]);
  });
});
