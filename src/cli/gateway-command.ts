// `hubgate gateway`: the server (webhooks, platform API, reporting), started by node itself
// so SIGTERM reaches it. Probot reads its own variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET,
// PORT, HOST, LOG_LEVEL); hubgate's come from the same environment (README). With
// HUBGATE_REDIS_URL the builds go to workers and this process never runs contributor code.
import type { ApplicationFunction } from "probot";
import { createHubgateApp } from "../app.js";

export async function runGateway(env: NodeJS.ProcessEnv): Promise<number> {
  const { run } = await import("probot");
  const app = createHubgateApp({ env });
  const withHealth: ApplicationFunction = async (probot, options) => {
    // Liveness for the image's HEALTHCHECK and orchestrators.
    options.addHandler?.((req, res) => {
      if ((req.url ?? "").split("?")[0] !== "/healthz") return false;
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    });
    await app(probot, options);
  };
  const server = await run(withHealth, { env });
  // Node as PID 1 (in a container) has no default SIGTERM action: without a handler,
  // `docker stop` would wait and then SIGKILL it.
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  process.stderr.write(`hubgate gateway: ${signal}, stopping\n`);
  await server.stop();
  // Queue and Redis connections would keep the event loop alive; the server is closed.
  process.exit(0);
}
