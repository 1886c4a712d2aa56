#!/usr/bin/env node
/**
 * The server entry (`npm start` = `exec node dist/server.js`): settings from the environment,
 * the gateway, an HTTP server, and signals. A settings problem (a malformed private key, a
 * half-configured GitLab) is a start-up error that names itself: the server never falls into
 * Probot's setup mode looking healthy.
 *
 * SIGTERM/SIGINT: stop taking webhooks (503 + Retry-After), let running jobs finish within
 * HUBGATE_SHUTDOWN_GRACE_S, put the rest back in the store (they resume at next start), exit 0.
 * A second signal exits at once; the store is consistent at any instant anyway.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createGateway } from "./gateway.js";
import { readServerSettings } from "./settings/server-settings.js";

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readServerSettings(env);
  const logger = pino({ level: settings.logLevel, base: { pid: process.pid } });
  if (settings.problems.length) {
    logger.fatal({ problems: settings.problems }, "hubgate cannot start: fix these settings");
    process.stderr.write(`hubgate cannot start:\n${settings.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(2);
  }
  const gateway = await createGateway({ settings, env, logger });
  const server = createServer((req, res) => gateway.handle(req, res));
  await gateway.start();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info(
    {
      port,
      host: settings.host,
      github: settings.github.enabled ? settings.github.webhookPath : settings.github.reason,
      gitlab: settings.gitlab.enabled ? "/api/gitlab/webhooks" : settings.gitlab.reason,
      dataDir: settings.dataDir,
    },
    "listening",
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now; unfinished jobs resume at next start");
      process.exit(1);
    }
    stopping = true;
    logger.info(
      { signal, graceMs: settings.shutdownGraceMs },
      "stopping: no new work, finishing running jobs",
    );
    void (async () => {
      // Webhooks now get 503 from the gateway; health probes still answer until the end.
      await gateway.stop(settings.shutdownGraceMs);
      server.close();
      server.closeIdleConnections();
      logger.info("stopped");
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: error }, "unclean stop; unfinished jobs resume at next start");
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`hubgate failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(2);
});
