// The CLI proper: parses the arguments and hands each command to its module. main.ts runs it
// from the one-file build (built-cli.ts); `check` is built in, the other commands are loaded from
// their own modules when asked for, so none of them costs a check anything.
import { readFileSync } from "node:fs";
import { guardLines } from "../report/plain-text.js";
import { parseCliArgs, UsageError, USAGE } from "./args.js";

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const args = parseCliArgs(argv, process.stdout.isTTY === true, env);
    if (args.command === "help") return write(process.stdout, `${USAGE}\n`, 0);
    if (args.command === "version") {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version: string;
      };
      return write(process.stdout, `${pkg.version}\n`, 0);
    }
    if (args.command === "publish") {
      const { runPublishCommand } = await import("./publish-command.js");
      return await runPublishCommand(args, env);
    }
    if (args.command === "gateway") {
      const { runGateway } = await import("./gateway-command.js");
      return await runGateway();
    }
    if (args.command === "worker") {
      const { runWorker } = await import("./worker-command.js");
      return await runWorker(env);
    }
    if (args.command === "published" || args.command === "deprecate" || args.command === "serve") {
      const commands = await import("./catalogue-commands.js");
      if (args.command === "published") return await commands.runPublishedCommand(args, env);
      if (args.command === "deprecate") return await commands.runDeprecateCommand(args, env);
      return await commands.runServeCommand(args, env);
    }
    if (args.command === "serve-auth") {
      const { runServeAuth } = await import("./serve-auth-command.js");
      return await runServeAuth(args, env);
    }
    if (args.command === "registry-auth-config") {
      const { runRegistryAuthConfig } = await import("./serve-auth-command.js");
      return runRegistryAuthConfig(args, env);
    }
    if (args.command === "check") {
      const { runCheck } = await import("./check-command.js");
      return await runCheck(args, env);
    }
    const { runOrgsCommand } = await import("./orgs-command.js");
    return await runOrgsCommand(args, env);
  } catch (error) {
    if (error instanceof UsageError)
      return write(process.stderr, `hubgate: ${error.message}\n\n${USAGE}\n`, 2);
    if (
      error instanceof Error &&
      ["PlanError", "HubConfigError", "WorkerSettingsError"].includes(error.name)
    ) {
      return write(process.stderr, `hubgate: ${error.message}\n`, 2);
    }
    return write(process.stderr, `hubgate: internal error: ${(error as Error).stack ?? String(error)}\n`, 2);
  }
}

function write(stream: NodeJS.WriteStream, text: string, code: number): number {
  // Error messages can quote folder names: no line of them may start a CI workflow command.
  stream.write(guardLines(text));
  return code;
}
