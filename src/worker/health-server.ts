import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A worker's /healthz (process alive: the image's HEALTHCHECK) and /readyz (`ready()` says
 * whether it can take jobs; the reason otherwise). Nothing else is served: a worker has no API.
 */
export async function startHealthServer(
  port: number,
  host: string,
  ready: () => Promise<string | undefined>,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
    if (path === "/healthz") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    if (path === "/readyz") {
      ready().then(
        (problem) =>
          res
            .writeHead(problem ? 503 : 200, { "content-type": "text/plain" })
            .end(problem ? `not ready: ${problem}\n` : "ready\n"),
        (error: Error) => res.writeHead(503).end(`not ready: ${error.message}\n`),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
