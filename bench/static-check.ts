import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, timeInterleaved, type Row } from "./measure.js";

// Compiled to bench/out/bench/: the project root is three levels up.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const KINDS = ["encoders", "indexers", "crafters", "segmenters", "rankers"];
/** Hub sizes; BENCH_SIZES=1000,10000 for a quicker run. */
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);

/** A hub of `count` bundles made from the AwesomeEncoder example, one in ten with a mistake. */
function generateHub(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "hubgate-bench-"));
  const example = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
  const manifest = readFileSync(join(example, "manifest.yml"), "utf8");
  const files = ["Dockerfile", "config.yml", "requirements.txt", "__init__.py", "entrypoint.sh"].map(
    (f) => [f, readFileSync(join(example, f))] as const,
  );
  const test = readFileSync(join(example, "tests/test_encoder.py"));
  for (let i = 0; i < count; i++) {
    const kinds = KINDS[i % KINDS.length]!;
    const bundle = join(dir, "executors", kinds, `Bundle${i}`);
    mkdirSync(join(bundle, "tests"), { recursive: true });
    for (const [name, content] of files) writeFileSync(join(bundle, name), content);
    writeFileSync(join(bundle, "tests/test_encoder.py"), test);
    const broken = i % 10 === 0 ? manifest.replace("license: apache-2.0", "license: MIT") : manifest;
    writeFileSync(
      join(bundle, "manifest.yml"),
      broken.replace("AwesomeEncoder", `Bundle${i}`).replace("kind: encoder", `kind: ${kinds.slice(0, -1)}`),
    );
  }
  return dir;
}

interface Run {
  ms: number;
  rssKb: number;
}

/** The floor in its own process: walk + yaml.parseDocument + ajv over the same tree. */
function floor(hub: string, count: number): Run {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [join(HERE, "floor.js"), hub], { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const out = JSON.parse(child.stdout) as { bundles: number; maxRssKb: number };
  if (out.bundles !== count) throw new Error(`bench: the floor found ${out.bundles} of ${count} manifests`);
  return { ms, rssKb: out.maxRssKb };
}

/** The pre-pass that finds image collisions before a streamed check reports, timed in-process. */
function prepassCost(hub: string, count: number): { prepassMs: number; checkMs: number } {
  const child = spawnSync(process.execPath, [join(HERE, "prepass.js"), hub], { encoding: "utf8" });
  const out = JSON.parse(child.stdout) as { bundles: number; prepassMs: number; checkMs: number };
  if (out.bundles !== count) throw new Error(`bench: the pre-pass saw ${out.bundles} of ${count} bundles`);
  return out;
}

/** `hubgate check HUB --format json` as a user runs it; its peak RSS from a preloaded probe. */
function hubgate(hub: string, count: number): Run {
  const rssFile = join(hub, "..", `rss-${process.pid}`);
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [CLI, "check", hub, "--format", "json"], {
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1024 ** 3,
    env: {
      ...process.env,
      NODE_OPTIONS: `--import=${pathToFileURL(join(HERE, "rss-probe.js")).href}`,
      HUBGATE_BENCH_RSS_FILE: rssFile,
    },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const checked = (child.stdout.toString().match(/^ {6}"path": /gm) ?? []).length;
  if (checked !== count) throw new Error(`bench: hubgate checked ${checked} of ${count} bundles`);
  const rssKb = Number(readFileSync(rssFile, "utf8"));
  rmSync(rssFile, { force: true });
  return { ms, rssKb };
}

export async function benchStaticCheck(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const count of SIZES) {
    const hub = generateHub(count);
    try {
      // Interleaved, after one warm-up of each (page cache): the same machine state for both.
      floor(hub, count);
      hubgate(hub, count);
      const runs = count >= 50_000 ? 2 : 3;
      const floors: Run[] = [];
      const ours: Run[] = [];
      for (let i = 0; i < runs; i++) {
        floors.push(floor(hub, count));
        ours.push(hubgate(hub, count));
      }
      const prepass = prepassCost(hub, count);
      const floorMs = median(floors.map((r) => r.ms));
      const ourMs = median(ours.map((r) => r.ms));
      const label = `${count.toLocaleString("en")} bundles`;
      rows.push(
        {
          name: `${label}: floor (walk + parseDocument + ajv)`,
          value: (count / floorMs) * 1000,
          unit: "bundles/s",
        },
        {
          name: `${label}: hubgate check --format json`,
          value: (count / ourMs) * 1000,
          unit: "bundles/s",
          baseline: "floor",
          ratio: ourMs / floorMs,
        },
        {
          name: `${label}: image-collision pre-pass (one thread)`,
          value: prepass.prepassMs,
          unit: "ms",
          baseline: "the static check after it",
          ratio: prepass.prepassMs / prepass.checkMs,
        },
        {
          name: `${label}: floor peak RSS`,
          value: Math.max(...floors.map((r) => r.rssKb)) / 1024,
          unit: "MB",
        },
        {
          name: `${label}: hubgate peak RSS`,
          value: Math.max(...ours.map((r) => r.rssKb)) / 1024,
          unit: "MB",
          baseline: "floor",
          ratio: Math.max(...ours.map((r) => r.rssKb)) / Math.max(...floors.map((r) => r.rssKb)),
        },
      );
    } finally {
      rmSync(hub, { recursive: true, force: true });
    }
  }

  const example = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
  const [node, version, single] = timeInterleaved(
    [
      [process.execPath, ["-e", "0"]],
      [process.execPath, [CLI, "--version"]],
      [process.execPath, [CLI, "check", example]],
    ],
    15,
  ) as [number, number, number];
  rows.push(
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
  );
  return rows;
}
