import { spawnSync, execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "../helpers/run-cli.js";

/** Hostile files where hubgate expects small regular ones, through the spawned CLI. */
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const BUNDLE = "executors/encoders/AwesomeEncoder";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn the CLI with a hard timeout: a hang fails the test instead of freezing it. */
function check(cwd: string, args: string[], options: { uid?: number } = {}): Run {
  const result = spawnSync(process.execPath, [CLI, "check", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

type JsonFinding = { file: string; rule: string; message: string; level: string };
const findingsOf = (run: Run): JsonFinding[] => {
  const parsed = JSON.parse(run.stdout) as {
    bundles: Array<{ findings: JsonFinding[] }>;
    findings: JsonFinding[];
  };
  return [...parsed.findings, ...parsed.bundles.flatMap((b) => b.findings)];
};

describe("hostile files (spawned CLI)", () => {
  let hub: string;
  let bundle: string;
  beforeEach(() => {
    hub = mkdtempSync(join(tmpdir(), "hubgate-hostile-files-"));
    chmodSync(hub, 0o755);
    bundle = join(hub, BUNDLE);
    mkdirSync(join(hub, "executors/encoders"), { recursive: true });
    cpSync(AWESOME, bundle, { recursive: true });
  });
  afterEach(() => {
    execFileSync("chmod", ["-R", "u+rwX", hub]);
    rmSync(hub, { recursive: true, force: true });
  });

  const replace = (name: string, make: (path: string) => void) => {
    rmSync(join(bundle, name), { recursive: true, force: true });
    make(join(bundle, name));
  };

  it.each([
    ["a FIFO", (p: string) => execFileSync("mkfifo", [p]), "a named pipe (FIFO)"],
    ["a folder", (p: string) => mkdirSync(p), "a folder"],
    ["a dangling symlink", (p: string) => symlinkSync("nowhere.yml", p), "a dangling symlink"],
    [
      "a self-referencing symlink",
      (p: string) => symlinkSync("manifest.yml", p),
      "a symlink that refers to itself",
    ],
  ])("manifest.yml as %s is one finding, never a hang, never ok", (_, make, what) => {
    replace("manifest.yml", make);
    const run = check(hub, [".", "--format", "json"]);
    expect(run.code).toBe(1);
    const findings = findingsOf(run).filter((f) => f.level === "error");
    expect(findings.map((f) => [f.file, f.rule])).toEqual([[`${BUNDLE}/manifest.yml`, "bundle/not-a-file"]]);
    expect(findings[0]!.message).toContain(what);
  });

  it("a Dockerfile that is a FIFO or larger than 1 MiB is a finding", () => {
    replace("Dockerfile", (p) => execFileSync("mkfifo", [p]));
    expect(findingsOf(check(hub, [".", "--format", "json"])).map((f) => f.rule)).toContain(
      "bundle/not-a-file",
    );
    replace("Dockerfile", (p) => writeFileSync(p, `FROM x\n${"# padding\n".repeat(120_000)}`));
    expect(findingsOf(check(hub, [".", "--format", "json"])).map((f) => f.rule)).toContain(
      "bundle/file-too-large",
    );
  });

  it("a hub config linked to /dev/zero or /dev/urandom, or a FIFO, costs nothing and stops with exit 2", () => {
    for (const target of ["/dev/zero", "/dev/urandom"]) {
      rmSync(join(hub, ".hubgate.yml"), { force: true });
      symlinkSync(target, join(hub, ".hubgate.yml"));
      const run = check(hub, ["."]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(".hubgate.yml is a device, not a regular file");
    }
    rmSync(join(hub, ".hubgate.yml"));
    execFileSync("mkfifo", [join(hub, ".hubgate.yml")]);
    expect(check(hub, ["."]).stderr).toContain("named pipe");
    rmSync(join(hub, ".hubgate.yml"));
    writeFileSync(join(hub, ".hubgate.yml"), `# ${"x".repeat(200_000)}\n`);
    expect(check(hub, ["."]).stderr).toContain("larger than 65536 bytes");
  });

  it("fails closed on folders it may not read: a finding in a bundle, exit 2 for the hub", () => {
    execFileSync("chown", ["-R", "65534:65534", hub]);
    chmodSync(join(bundle, "tests"), 0o000);
    const inner = check(hub, [".", "--format", "json"], { uid: 65534 });
    expect(inner.code).toBe(1);
    expect(findingsOf(inner).map((f) => [f.file, f.rule])).toContainEqual([
      `${BUNDLE}/tests`,
      "bundle/unreadable",
    ]);
    chmodSync(join(bundle, "tests"), 0o755);

    chmodSync(join(bundle, "manifest.yml"), 0o000);
    const file = check(hub, [".", "--format", "json"], { uid: 65534 });
    expect(findingsOf(file).map((f) => [f.file, f.rule])).toEqual([
      [`${BUNDLE}/manifest.yml`, "bundle/unreadable"],
    ]);
    chmodSync(join(bundle, "manifest.yml"), 0o644);

    chmodSync(bundle, 0o000);
    // The hub's discovery cannot tell what the folder is: exit 2, never "0 bundles, exit 0".
    const whole = check(hub, [".", "--format", "json"], { uid: 65534 });
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain(`${BUNDLE} cannot be read`);
    chmodSync(bundle, 0o755);

    chmodSync(join(hub, "executors/encoders"), 0o000);
    const hubRun = check(hub, ["."], { uid: 65534 });
    expect(hubRun.code).toBe(2);
    expect(hubRun.stderr).toContain("cannot be read");
    expect(hubRun.stdout).not.toContain("0 bundles checked");
  });

  it("the walk's entry cap is a finding, with no false missing file and the deep symlink escape still found", () => {
    mkdirSync(join(bundle, "aaa-data"));
    for (let i = 0; i < 20_050; i++) writeFileSync(join(bundle, "aaa-data", `f${i}`), "");
    mkdirSync(join(bundle, "zzz/deeper"), { recursive: true });
    symlinkSync("/etc/passwd", join(bundle, "zzz/deeper/leak"));
    const findings = findingsOf(check(hub, [".", "--format", "json"]));
    expect(findings.filter((f) => f.level === "error").map((f) => [f.file, f.rule])).toEqual([
      [BUNDLE, "bundle/too-many-files"],
      [`${BUNDLE}/zzz/deeper/leak`, "bundle/symlink-escape"],
    ]);
    expect(findings.map((f) => f.rule)).not.toContain("bundle/missing-file");
  });

  it("checks a bundle given as a symlink to its folder", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "hubgate-link-"));
    try {
      symlinkSync(bundle, join(elsewhere, "link"));
      const run = check(elsewhere, ["link", "--format", "json"]);
      expect(run.code).toBe(0);
      const parsed = JSON.parse(run.stdout) as { bundles: Array<{ image: string }> };
      expect(parsed.bundles.map((b) => b.image)).toEqual(["jinahub/pod.encoder.awesomeencoder:0.0.1"]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
