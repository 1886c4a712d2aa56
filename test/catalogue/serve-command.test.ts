import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, runCli } from "../helpers/run-cli.js";
import { IMAGE, KEY, TOKEN } from "./catalogue-harness.js";

describe("hubgate serve (spawned): the catalogue without the bots", () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), "hubgate-serve-"))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the API and the page on the store, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data-dir", dataDir], {
      env: {
        ...process.env,
        HUBGATE_CATALOGUE_TOKEN: TOKEN,
        HUBGATE_CATALOGUE_KEY: KEY,
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /hubgate catalogue at (http:\/\/\S+)\/catalogue\n/.exec(out);
        if (match) done(match[1]!);
      });
      child.on("exit", (code) => fail(new Error(`serve exited with ${code} before listening: ${out}`)));
    });
    try {
      const created = await fetch(`${url}/v1/docker/create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(IMAGE),
      });
      expect(created.status).toBe(201);
      const page = await fetch(`${url}/catalogue?q=Awesome`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("1 image found");
      const root = await fetch(`${url}/`, { redirect: "manual" });
      expect(root.headers.get("location")).toBe("/catalogue");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    // What the server wrote, the CLI reads from the same store.
    const listed = runCli(["published", "--data-dir", dataDir, "--format", "json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: "AwesomeEncoder", version: "1.0.0" }),
    ]);
  });

  it("refuses a malformed key at start (exit 2), and usage errors for bad arguments", () => {
    const bad = runCli(["serve", "--port", "0", "--data-dir", dataDir], undefined, {
      HUBGATE_CATALOGUE_KEY: "short",
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("HUBGATE_CATALOGUE_KEY must be 32 random bytes");
    expect(runCli(["serve", "--port", "99999"]).code).toBe(2);
    expect(runCli(["published", "--format", "sarif"]).stderr).toContain(
      "published supports --format text or json",
    );
    expect(runCli(["deprecate", "encoder", "X", "1.0.0"]).stderr).toContain("deprecate needs --reason");
    expect(runCli(["published", "--server", "ftp://x"]).stderr).toContain("--server must be an http(s) URL");
  });

  it("says so when nothing is published in the data dir, and exits 1 for an unknown version", () => {
    const empty = runCli(["published", "--data-dir", dataDir]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(`nothing published yet (in ${dataDir})\n`);
    const missing = runCli(["deprecate", "encoder", "X", "1.0.0", "--reason", "r", "--data-dir", dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("encoder/X 1.0.0 is not in the catalogue");
  });
});
