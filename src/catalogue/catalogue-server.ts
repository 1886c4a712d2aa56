import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../pipeline/logger.js";
import { createCatalogueRoute } from "./catalogue-route.js";
import type { CatalogueSettings } from "./catalogue-settings.js";
import { Catalogue } from "./catalogue-store.js";

/**
 * The catalogue alone, without the bots (`hubgate serve`): a plain node:http server with the
 * catalogue route, on the same store the publishers write.
 */
export interface CatalogueServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startCatalogueServer(options: {
  dataDir: string;
  settings: CatalogueSettings;
  port: number;
  host: string;
  logger: Logger;
}): Promise<CatalogueServer> {
  const catalogue = Catalogue.open(options.dataDir, { secretBox: options.settings.secretBox });
  const route = createCatalogueRoute({
    catalogue: () => catalogue,
    settings: options.settings,
    logger: options.logger,
  });
  const server = createServer((req, res) => {
    route(req, res).then(
      (handled) => {
        if (handled) return;
        if (req.url === "/" || req.url === "") res.writeHead(302, { location: "/catalogue" }).end();
        else res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      },
      (error: Error) => {
        options.logger.error({ err: error.message }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          catalogue.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
