// `hubgate gateway`: the server (src/server.ts: webhooks, platform API, reporting, health,
// signals), the image's default command. With HUBGATE_REDIS_URL the builds go to workers and
// this process never runs contributor code.
export async function runGateway(): Promise<number> {
  // The server module starts itself and owns the process from here (it exits on SIGTERM).
  await import("../server.js");
  return new Promise<number>(() => undefined);
}
