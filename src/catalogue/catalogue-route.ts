import type { IncomingMessage, ServerResponse } from "node:http";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import { badgeSvg } from "./badge.js";
import type { CatalogueSettings } from "./catalogue-settings.js";
import type { Catalogue } from "./catalogue-store.js";
import { notFoundPage, searchPage, seriesPage } from "./catalogue-page.js";
import { handleApi } from "./docker-api.js";
import { HttpError, sendError } from "../http/json-body.js";
import type { Route } from "../http/route.js";
import { bearerMatches } from "./http.js";
import { handleSearchApi, parseSearch } from "./search-api.js";

export interface CatalogueRouteOptions {
  /** The catalogue, opened on first use (a server that never serves it creates no file). */
  catalogue: () => Catalogue;
  settings: CatalogueSettings;
  logger?: Logger;
}

/**
 * Everything the catalogue serves, as one route for the server's list of route handlers:
 * the seed's `/v1/docker/*` API, `/api/v1/images`, the page at `/catalogue` and badges at
 * `/badge/{kind}/{name}.svg`. Answers true when it handled the request, false to pass it on.
 */
export function createCatalogueRoute(options: CatalogueRouteOptions): Route {
  const logger = options.logger ?? silentLogger;
  let opened: Catalogue | undefined;
  const catalogue = () => (opened ??= options.catalogue());
  const authorise = (req: IncomingMessage, access: "read" | "write") => {
    const { token, readsNeedToken } = options.settings;
    if (access === "read" && !readsNeedToken) return;
    if (!token)
      throw new HttpError(503, "catalogue writes are disabled: the server has no HUBGATE_CATALOGUE_TOKEN");
    if (!bearerMatches(req, token))
      throw new HttpError(
        401,
        `${access === "write" ? "writing to" : "reading"} the catalogue needs Authorization: Bearer <HUBGATE_CATALOGUE_TOKEN>`,
        {},
        { "www-authenticate": 'Bearer realm="hubgate catalogue"' },
      );
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://catalogue.invalid");
    const path = url.pathname;
    const ours =
      path.startsWith("/v1/") ||
      path === "/api/v1/images" ||
      path.startsWith("/api/v1/images/") ||
      path === "/catalogue" ||
      path.startsWith("/catalogue/") ||
      path.startsWith("/badge/");
    if (!ours) return false;
    try {
      if (await handleApi({ catalogue, authorise }, req, res, path)) return true;
      if (path === "/api/v1/images" || path.startsWith("/api/v1/images/")) {
        authorise(req, "read");
        if (handleSearchApi(catalogue(), req, res, url)) return true;
      }
      if (path === "/catalogue" || path.startsWith("/catalogue/")) {
        authorise(req, "read");
        servePage(catalogue(), req, res, url);
        return true;
      }
      if (path.startsWith("/badge/")) {
        authorise(req, "read");
        serveBadge(catalogue(), res, path);
        return true;
      }
      throw new HttpError(404, `no catalogue endpoint ${path.slice(0, 200)}`);
    } catch (error) {
      if (error instanceof HttpError) {
        if (path.startsWith("/catalogue") && error.status === 404)
          sendHtml(res, 404, notFoundPage(error.message));
        else sendError(res, error);
      } else {
        logger.error({ err: (error as Error).message, path }, "catalogue request failed");
        sendError(res, new HttpError(500, "internal error in the catalogue; see the server log"));
      }
      return true;
    }
  };
}

function servePage(catalogue: Catalogue, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== "GET" && req.method !== "HEAD")
    throw new HttpError(405, "use GET here", { allow: ["GET"] });
  if (url.pathname === "/catalogue" || url.pathname === "/catalogue/") {
    const query = parseSearch(url.searchParams);
    sendHtml(res, 200, searchPage(catalogue, query, catalogue.search(query)));
    return;
  }
  const parts = url.pathname.slice("/catalogue/".length).split("/");
  if (parts.length !== 2 || !parts[1]) throw new HttpError(404, "no such page");
  const [kind, name] = parts.map((p) => safeDecode(p)) as [string, string];
  const versions = catalogue.series(kind === "-" ? "" : kind, name);
  if (versions.length === 0) throw new HttpError(404, `no image ${kind}/${name} in the catalogue`);
  sendHtml(res, 200, seriesPage(catalogue, versions, baseUrl(req)));
}

function serveBadge(catalogue: Catalogue, res: ServerResponse, path: string): void {
  const match = /^\/badge\/([^/]+)\/([^/]+)\.svg$/.exec(path);
  if (!match) throw new HttpError(404, "badges live at /badge/{kind}/{name}.svg");
  const kind = safeDecode(match[1]!);
  const name = safeDecode(match[2]!);
  const versions = catalogue.series(kind === "-" ? "" : kind, name);
  const latestPk = catalogue.tagsOfSeries(kind, name).find((t) => t.tag === "latest")?.imagePk;
  const latest = versions.find((v) => v.pk === latestPk) ?? versions[0];
  const svg = !latest
    ? badgeSvg("hubgate", "not found", "unknown")
    : latest.deprecated
      ? badgeSvg("hubgate", `${latest.version} deprecated`, "deprecated")
      : badgeSvg("hubgate", latest.version, "current");
  res.writeHead(latest ? 200 : 404, {
    "content-type": "image/svg+xml; charset=utf-8",
    // README renderers proxy badges: let them refresh within minutes.
    "cache-control": "max-age=300",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(svg);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    // No script may run here, whatever a manifest managed to smuggle in.
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
  });
  res.end(html);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(404, "malformed path");
  }
}

/** Absolute links (badge snippet) from the Host the client used; loopback-safe default. */
function baseUrl(req: IncomingMessage): string {
  const host =
    req.headers.host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.headers.host) ? req.headers.host : "localhost";
  const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${proto}://${host}`;
}
