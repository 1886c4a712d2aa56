import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runCli } from "../helpers/run-cli.js";

// A static check of 1000+ bundles runs on worker threads (src/pipeline/parallel-static.ts):
// its report must be the one a single thread writes, byte for byte, image collisions across
// the threads' chunks included.
const COUNT = 1100;
const KINDS = ["encoders", "indexers", "crafters"];

function makeHub(): string {
  const hub = mkdtempSync(join(tmpdir(), "hubgate-parallel-"));
  writeFileSync(join(hub, ".hubgate.yml"), "layout: executors/{kinds}/{name}\n");
  const example = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
  const manifest = readFileSync(join(example, "manifest.yml"), "utf8");
  const dockerfile = readFileSync(join(example, "Dockerfile"));
  for (let i = 0; i < COUNT; i++) {
    const kinds = KINDS[i % KINDS.length]!;
    const bundle = join(hub, "executors", kinds, `Bundle${i}`);
    mkdirSync(join(bundle, "tests"), { recursive: true });
    writeFileSync(join(bundle, "Dockerfile"), dockerfile);
    writeFileSync(join(bundle, "tests/test_it.py"), "def test(): pass\n");
    if (i % 7 === 0) writeFileSync(join(bundle, "requirements.txt"), "numpy\n");
    // Bundles far apart (other threads' chunks) claiming one image; some broken manifests,
    // one needing the full YAML parser.
    const name = i === 3 ? "Twin" : i === COUNT - 5 ? "twin" : `Bundle${i}`;
    let text = manifest
      .replace("AwesomeEncoder", name)
      .replace("kind: encoder", `kind: ${kinds.slice(0, -1)}`);
    if (i % 10 === 0) text = text.replace("license: apache-2.0", "license: MIT");
    if (i % 97 === 0) text = text.replace("version: 0.0.1", "version: 1.0");
    if (i % 101 === 0) text += "description: |\n  a block scalar\n";
    if (i === 500) text = "name: [unclosed\n";
    writeFileSync(join(bundle, "manifest.yml"), text);
  }
  writeFileSync(join(hub, "executors", "stray.txt"), "loose\n");
  return hub;
}

describe("hubgate check of a large hub on worker threads", () => {
  let hub: string;
  beforeAll(() => {
    hub = makeHub();
  });
  afterAll(() => rmSync(hub, { recursive: true, force: true }));

  it.each(["json", "text"])("writes the same %s report as one thread", (format) => {
    // The comparison means something only where there are two cores to use.
    expect(availableParallelism()).toBeGreaterThanOrEqual(2);
    const threaded = runCli(["check", hub, "--format", format, "--jobs", "2"]);
    const single = runCli(["check", hub, "--format", format, "--jobs", "1"]);
    expect(threaded.stderr).toBe("");
    expect(threaded.code).toBe(1);
    expect(single.code).toBe(1);
    expect(threaded.stdout).toBe(single.stdout);
    if (format === "json") {
      const report = JSON.parse(threaded.stdout) as {
        bundles: Array<{ path: string; findings: Array<{ rule: string }> }>;
      };
      expect(report.bundles).toHaveLength(COUNT);
      const twins = report.bundles.filter((b) => b.findings.some((f) => f.rule === "image/duplicate"));
      expect(twins.map((b) => b.path)).toEqual([
        "executors/encoders/Bundle1095",
        "executors/encoders/Bundle3",
      ]);
    }
  });
});
