// The CLI as the build leaves it: cli.ts and everything `check` reaches in one CommonJS file,
// dist/cli/hubgate.cjs, compiled with the V8 code cache the same build wrote beside it
// (scripts/bundle-cli.js). On Node 20 a one-bundle check otherwise spends more time resolving,
// reading and compiling ~50 ES modules than checking; Node 22's module.enableCompileCache does
// the same for modules, Node 20 has nothing of the kind. See `npm run bench`.
import { readFileSync } from "node:fs";
import nodeModule from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

export const BUILT_CLI = fileURLToPath(new URL("./hubgate.cjs", import.meta.url));
export const BUILT_CLI_CODE_CACHE = `${BUILT_CLI}.cache`;

export interface BuiltCli {
  main(argv: string[]): Promise<number>;
  /** False when there was no cache or V8 refused it (another Node, other V8 flags). */
  readonly codeCacheUsed: boolean;
  /** V8's code cache for the file as compiled so far: everything run until now is in it. */
  codeCache(): Buffer;
}

export class MissingBuildError extends Error {
  override readonly name = "MissingBuildError";
}

export function loadBuiltCli(file = BUILT_CLI, cacheFile = BUILT_CLI_CODE_CACHE): BuiltCli {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new MissingBuildError(`${file} is missing: run \`npm run build\``);
  }
  const cachedData = readOptional(cacheFile);
  const script = new vm.Script(nodeModule.wrap(source), { filename: file, cachedData });
  const module = {
    exports: {} as { main?: BuiltCli["main"] },
    // The file's own import() would fail once compiled from the cache (V8 keeps no import
    // callback with cached code), so the other commands' modules are imported from here,
    // relative to the file (the build checks it has no import() of its own).
    importModule: (specifier: string) => import(new URL(specifier, pathToFileURL(file)).href),
  };
  const init = script.runInThisContext() as (...args: unknown[]) => void;
  init.call(module.exports, module.exports, nodeModule.createRequire(file), module, file, dirname(file));
  const { main } = module.exports;
  if (typeof main !== "function")
    throw new MissingBuildError(`${file} exports no main(): run \`npm run build\``);
  return {
    main,
    codeCacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    codeCache: () => script.createCachedData(),
  };
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    // No cache (a build that could not write one): V8 compiles as usual.
    return undefined;
  }
}
