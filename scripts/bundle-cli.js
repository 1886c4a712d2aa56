// Build step after tsc: dist/cli/cli.js and everything `hubgate check` reaches go into one
// CommonJS file, dist/cli/hubgate.cjs, and V8's code cache for it is written beside it, taken
// after a static check of a small hub made here. src/cli/built-cli.ts runs the two; it says why.
// The other commands (gateway, worker, publish, …) stay ES modules of their own, imported by
// the launcher when asked for: a check never pays for them, and they never share the file's state.
import { mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const entry = join(dist, "cli/cli.js");
const out = join(dist, "cli/hubgate.cjs");
const cacheFile = `${out}.cache`;
const BUILT_IN = join(dist, "cli/check-command.js");

// A cache from an earlier build must never meet this build's file (V8 checks only the length).
rmSync(cacheFile, { force: true });

const built = await esbuild.build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // npm packages load from node_modules as before, and only when the code needing them runs.
  packages: "external",
  logLevel: "warning",
  metafile: true,
  // (a top-level name: a module's own `const require = createRequire(…)` cannot shadow it)
  banner: {
    js: [
      'const __hubgateFileUrl = (own) => require("node:url").pathToFileURL(require("node:path").join(__dirname, own)).href;',
      "const __hubgateImport = (specifier) => module.importModule(specifier);",
    ].join("\n"),
  },
  plugins: [
    {
      name: "hubgate-cli",
      setup(build) {
        build.onLoad({ filter: /\.js$/, namespace: "file" }, (args) => {
          let text = readFileSync(args.path, "utf8");
          // The other commands: not bundled, imported at run time by the launcher, which is an ES
          // module (V8 drops a cached script's own import() callback: built-cli.ts).
          if (args.path === entry)
            text = text.replace(/\bimport\(("\.[^"]+")\)/g, (call, specifier) =>
              resolve(dirname(entry), JSON.parse(specifier)) === BUILT_IN
                ? call
                : `__hubgateImport(${specifier})`,
            );
          // import.meta.url has no CommonJS meaning: each module gets the URL of its own dist file,
          // so relative URLs (schemas/, package.json, createRequire) resolve as before.
          const own = JSON.stringify(relative(dirname(out), args.path));
          text = text.replaceAll("import.meta.url", `__hubgateFileUrl(${own})`);
          return { contents: text, loader: "js" };
        });
      },
    },
  ],
});

// An import() left in the file would fail when it runs from the code cache.
const leftover = Object.values(built.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((i) => i.kind === "dynamic-import");
if (leftover.length)
  throw new Error(`${out} still calls import(): ${leftover.map((i) => i.path).join(", ")}`);

await writeCodeCache();

async function writeCodeCache() {
  const hub = mkdtempSync(join(tmpdir(), "hubgate-warm-up-"));
  const stdoutWrite = process.stdout.write;
  try {
    writeWarmUpHub(hub);
    const { loadBuiltCli } = await import("../dist/cli/built-cli.js");
    const cli = loadBuiltCli(out, cacheFile);
    process.stdout.write = () => true; // the report of the warm-up check is of no interest
    const code = await cli.main(["check", join(hub, "executors/encoders/WarmUp")]);
    process.stdout.write = stdoutWrite;
    if (code !== 0) throw new Error(`the warm-up check of ${hub} exited ${code}`);
    writeFileSync(`${cacheFile}.tmp`, cli.codeCache());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  } finally {
    process.stdout.write = stdoutWrite;
    rmSync(hub, { recursive: true, force: true });
  }
}

/** One passing bundle and a hub config: the code an ordinary check runs gets compiled. */
function writeWarmUpHub(hub) {
  const files = {
    ".hubgate.yml": "layout: executors/{kinds}/{name}\nnamespace: jinahub\nversionBump: error\n",
    "executors/encoders/WarmUp/manifest.yml": [
      "manifest_version: 1",
      "name: WarmUp",
      "kind: encoder",
      "type: pod",
      "description: Compiles the code a check runs.",
      "author: hubgate build",
      "url: https://example.org/warm-up",
      "version: 0.0.1",
      "vendor: hubgate",
      "license: apache-2.0",
      "keywords: [build]",
      "",
    ].join("\n"),
    "executors/encoders/WarmUp/Dockerfile":
      'FROM busybox\nCOPY . /app\nENTRYPOINT ["/bin/sh", "/app/run.sh"]\n',
    "executors/encoders/WarmUp/config.yml": "!WarmUp\nmetas:\n  py_modules:\n    - __init__.py\n",
    "executors/encoders/WarmUp/requirements.txt": "",
    "executors/encoders/WarmUp/__init__.py": "",
    "executors/encoders/WarmUp/tests/test_warm_up.py": "",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(hub, path)), { recursive: true });
    writeFileSync(join(hub, path), text);
  }
}
