import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, runCli } from "../helpers/run-cli.js";

// The CLI runs from its one-file build with V8's code cache (src/cli/built-cli.ts). These run in
// a child Node of their own: V8 takes a cache only from a process with the same V8 flags.
const BUILT_CLI_MODULE = pathToFileURL(join(ROOT, "dist/cli/built-cli.js")).href;
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");

function inChild(body: string, baseEnv: NodeJS.ProcessEnv = process.env) {
  const code = `import { loadBuiltCli, BUILT_CLI } from ${JSON.stringify(BUILT_CLI_MODULE)};\n${body}`;
  const { NODE_OPTIONS: _, ...env } = baseEnv;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the built CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hubgate-built-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the one-file build with the code cache the build wrote, and this Node takes the cache", () => {
    const source = readFileSync(join(ROOT, "dist/cli/hubgate.cjs"), "utf8");
    // check is built in; the other commands stay modules of their own
    expect(source).toContain("function runCheck(");
    expect(source).toContain('__hubgateImport("./gateway-command.js")');
    expect(source).not.toContain("function runGateway(");
    const run = inChild(
      `const cli = loadBuiltCli();\n` +
        `process.exitCode = await cli.main(["check", ${JSON.stringify(AWESOME)}]);\n` +
        `console.error("code cache used:", cli.codeCacheUsed);`,
    );
    expect(run.stderr).toContain("code cache used: true");
    expect(run.stdout).toContain("1 bundle checked, 1 passed");
    expect(run.code).toBe(0);
  });

  it("loads the other commands from their own modules when run from the cache", () => {
    // gateway-command.js is not in the file: the launcher imports it (a cached script cannot).
    const run = inChild(
      `const cli = loadBuiltCli();\n` +
        `console.error("code cache used:", cli.codeCacheUsed);\n` +
        `process.exitCode = await cli.main(["gateway"]);`,
      { PATH: process.env.PATH },
    );
    expect(run.stderr).toContain("code cache used: true");
    expect(run.stderr).toContain("hubgate cannot start:");
    expect(run.stderr).not.toContain("internal error");
    expect(run.code).toBe(2);
  });

  it("compiles as usual when the cache is not one V8 can take, with the same results", () => {
    const junk = join(dir, "junk.cache");
    writeFileSync(junk, Buffer.alloc(4096, 7));
    const run = inChild(
      `const cli = loadBuiltCli(BUILT_CLI, ${JSON.stringify(junk)});\n` +
        `process.exitCode = await cli.main(["check", "--format", "json", ${JSON.stringify(AWESOME)}]);\n` +
        `console.error("code cache used:", cli.codeCacheUsed);`,
    );
    expect(run.stderr).toContain("code cache used: false");
    expect(run.code).toBe(0);
    const expected = runCli(["check", "--format", "json", AWESOME]);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(expected.stdout));
  });

  it("says to build when the file is missing", () => {
    const run = inChild(`loadBuiltCli(${JSON.stringify(join(dir, "hubgate.cjs"))});`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("hubgate.cjs is missing: run `npm run build`");
  });
});
