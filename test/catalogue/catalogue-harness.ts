import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCatalogueRoute } from "../../src/catalogue/catalogue-route.js";
import { readCatalogueSettings } from "../../src/catalogue/catalogue-settings.js";
import { Catalogue } from "../../src/catalogue/catalogue-store.js";
import { openDatabase, type Db } from "../../src/store/database.js";

export const TOKEN = "test-catalogue-token";
export const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

export interface CatalogueHarness {
  url: string;
  dataDir: string;
  db: Db;
  catalogue: Catalogue;
  request(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** The catalogue route on a real node:http server (port 0) over a real SQLite file. */
export async function startCatalogue(
  env: Record<string, string> = { HUBGATE_CATALOGUE_TOKEN: TOKEN, HUBGATE_CATALOGUE_KEY: KEY },
): Promise<CatalogueHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "hubgate-catalogue-"));
  const settings = readCatalogueSettings(env);
  const db = openDatabase(dataDir);
  const catalogue = Catalogue.on(db, { secretBox: settings.secretBox });
  const route = createCatalogueRoute({ catalogue: () => catalogue, settings });
  const server: Server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end("not ours");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    dataDir,
    db,
    catalogue,
    async request(method, path, body, token = TOKEN) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const IMAGE = {
  name: "AwesomeEncoder",
  version: "1.0.0",
  url: "registry.example.com/jinahub/pod.encoder.awesomeencoder:1.0.0",
  registry_url: "https://registry.example.com",
  registry_username: "puller",
  registry_password: "s3cret-pull-password",
  cuda_version: "11.8",
  domain: "nlp",
  tasks: ["Train", "Predict"],
  min_hardware_generation: "ampere",
  cpu: false,
  licence: "apache-2.0",
};
