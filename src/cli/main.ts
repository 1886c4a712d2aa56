#!/usr/bin/env node
// Entry point: runs the CLI from its one-file build (built-cli.ts says why).
import nodeModule from "node:module";
import { loadBuiltCli, MissingBuildError } from "./built-cli.js";

// Node 22+ also caches the modules the other commands load; a no-op on Node 20.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// No top-level await: a server command's promise may never settle, and Node would call an
// unsettled top-level await an error when the server closes.
try {
  void loadBuiltCli()
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
} catch (error) {
  const text =
    error instanceof MissingBuildError
      ? error.message
      : `internal error: ${(error as Error).stack ?? String(error)}`;
  process.stderr.write(`hubgate: ${text}\n`);
  process.exitCode = 2;
}
