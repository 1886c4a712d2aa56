import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLayout } from "../src/core/bundle-layout.js";
import { matchRoot } from "../src/core/bundle-layout.js";
import { loadManifestValidator } from "../src/config/validators.js";
import { resolveHubConfig } from "../src/core/hub-config.js";
import { checkBundles } from "../src/pipeline/check-bundles.js";
import { median, timeCommand, type Row } from "./measure.js";

// Compiled to bench/out/bench/: the project root is three levels up.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const KINDS = ["encoders", "indexers", "crafters", "segmenters", "rankers"];

/** A hub of `count` bundles made from the AwesomeEncoder example, some with mistakes. */
function generateHub(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "hubgate-bench-"));
  const example = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
  const manifest = readFileSync(join(example, "manifest.yml"), "utf8");
  for (let i = 0; i < count; i++) {
    const kinds = KINDS[i % KINDS.length]!;
    const bundle = join(dir, "executors", kinds, `Bundle${i}`);
    cpSync(example, bundle, { recursive: true });
    const broken = i % 10 === 0 ? manifest.replace("license: apache-2.0", "license: MIT") : manifest;
    writeFileSync(
      join(bundle, "manifest.yml"),
      broken.replace("AwesomeEncoder", `Bundle${i}`).replace("kind: encoder", `kind: ${kinds.slice(0, -1)}`),
    );
  }
  return dir;
}

export async function benchStaticCheck(): Promise<Row[]> {
  const count = 1000;
  const hub = generateHub(count);
  try {
    const validator = await loadManifestValidator();
    const config = resolveHubConfig();
    const layout = parseLayout(config.layout);
    const roots: string[] = [];
    for (let i = 0; i < count; i++) roots.push(`executors/${KINDS[i % KINDS.length]}/Bundle${i}`);
    const plan = { headDir: hub, bundles: roots.map((r) => matchRoot(layout, r)!), findings: [] };
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      const result = await checkBundles(plan, { config, validator });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (result.bundles.length !== count) throw new Error("bench: wrong bundle count");
    }
    const inProcess = median(times);
    const node = timeCommand(process.execPath, ["-e", "0"], 15);
    const version = timeCommand(process.execPath, [CLI, "--version"], 15);
    const single = timeCommand(process.execPath, [CLI, "check", join(hub, "executors/encoders/Bundle5")], 15);
    const whole = timeCommand(process.execPath, [CLI, "check", hub, "--format", "json"], 5);
    return [
      {
        name: `static check, ${count} bundles, in process`,
        value: (count / inProcess) * 1000,
        unit: "bundles/s",
      },
      { name: "node -e 0 (baseline)", value: node, unit: "ms" },
      {
        name: "hubgate --version (start-up)",
        value: version,
        unit: "ms",
        baseline: "node -e 0",
        ratio: version / node,
      },
      {
        name: "hubgate check <one bundle>",
        value: single,
        unit: "ms",
        baseline: "node -e 0",
        ratio: single / node,
      },
      {
        name: "  of which the check itself (minus node -e 0)",
        value: single - node,
        unit: "ms",
        baseline: "node -e 0",
        ratio: (single - node) / node,
      },
      {
        name: `hubgate check <${count} bundles> --format json`,
        value: whole,
        unit: "ms",
        baseline: "node -e 0",
        ratio: whole / node,
      },
    ];
  } finally {
    rmSync(hub, { recursive: true, force: true });
  }
}
