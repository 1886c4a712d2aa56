import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Spawn the built CLI as a user would (npm test builds dist/ first). */
export function runCli(
  args: string[],
  cwd = ROOT,
  env: NodeJS.ProcessEnv = {},
  baseEnv: NodeJS.ProcessEnv = process.env,
) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...baseEnv, NO_COLOR: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
