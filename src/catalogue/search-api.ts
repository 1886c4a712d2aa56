import type { IncomingMessage, ServerResponse } from "node:http";
import type { Catalogue, CatalogueImage, SearchQuery } from "./catalogue-store.js";
import { HttpError } from "../http/json-body.js";
import { sendJson } from "../http/route.js";

/**
 * The search API for people and programs: `GET /api/v1/images?q=&kind=&domain=&page=&per_page=`
 * (one entry per image series, total in `X-Total-Count`, links in `Link`) and
 * `GET /api/v1/images/{kind}/{name}` with every version.
 */
export const MAX_PER_PAGE = 100;

export function parseSearch(params: URLSearchParams, defaultPerPage = 20): SearchQuery {
  const text = (key: string) => {
    const value = params.get(key)?.trim();
    if (value && value.length > 200) throw new HttpError(400, `${key} must be at most 200 characters`);
    return value || undefined;
  };
  const int = (key: string, fallback: number, max: number) => {
    const raw = params.get(key);
    if (raw === null || raw === "") return fallback;
    const n = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new HttpError(400, `${key} must be a whole number from 1 to ${max}`);
    return n;
  };
  const query: SearchQuery = {
    page: int("page", 1, 1_000_000),
    perPage: int("per_page", defaultPerPage, MAX_PER_PAGE),
  };
  const q = text("q");
  const kind = text("kind");
  const domain = text("domain");
  if (q) query.q = q;
  if (kind) query.kind = kind;
  if (domain) query.domain = domain;
  return query;
}

export function versionJson(image: CatalogueImage): Record<string, unknown> {
  return {
    pk: image.pk,
    version: image.version,
    url: image.url,
    digest: image.digest,
    source_repository: image.revision.repository_url,
    commit: image.revision.commit,
    branch: image.revision.branch,
    tag: image.revision.tag,
    published_at: image.publishedAt ?? image.createdAt,
    tags: image.tags,
    deprecated: image.deprecated,
    deprecation_reason: image.deprecationReason,
  };
}

export function handleSearchApi(
  catalogue: Catalogue,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean {
  const path = url.pathname;
  if (path !== "/api/v1/images" && !path.startsWith("/api/v1/images/")) return false;
  if (req.method !== "GET" && req.method !== "HEAD")
    throw new HttpError(405, "use GET here", { allow: ["GET"] });
  if (path === "/api/v1/images") {
    const query = parseSearch(url.searchParams);
    const { total, items } = catalogue.search(query);
    const pages = Math.max(1, Math.ceil(total / query.perPage));
    const link = (page: number, rel: string) => {
      const next = new URLSearchParams(url.searchParams);
      next.set("page", String(page));
      next.set("per_page", String(query.perPage));
      return `</api/v1/images?${next.toString()}>; rel="${rel}"`;
    };
    const links = [link(1, "first"), link(pages, "last")];
    if (query.page > 1) links.push(link(Math.min(query.page - 1, pages), "prev"));
    if (query.page < pages) links.push(link(query.page + 1, "next"));
    sendJson(
      res,
      200,
      items.map((s) => ({
        kind: s.kind,
        name: s.name,
        description: s.description,
        domain: s.domain,
        licence: s.licence,
        latest_version: s.latestVersion,
        url: s.latestUrl,
        versions: s.versions,
        deprecated: s.deprecated,
        updated_at: s.updatedAt,
      })),
      { "x-total-count": String(total), link: links.join(", ") },
    );
    return true;
  }
  const parts = path.slice("/api/v1/images/".length).split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new HttpError(404, "use /api/v1/images/{kind}/{name}");
  const [kind, name] = parts.map((p) => decodeURIComponent(p)) as [string, string];
  const versions = catalogue.series(kind, name);
  if (versions.length === 0) throw new HttpError(404, `no image ${kind}/${name} in the catalogue`);
  sendJson(res, 200, seriesJson(catalogue, versions));
  return true;
}

export function seriesJson(catalogue: Catalogue, versions: CatalogueImage[]): Record<string, unknown> {
  const newest = versions[0]!;
  const latestPk = catalogue.tagsOfSeries(newest.kind, newest.name).find((t) => t.tag === "latest")?.imagePk;
  const latest = versions.find((v) => v.pk === latestPk) ?? newest;
  return {
    kind: latest.kind,
    name: latest.name,
    description: latest.description,
    domain: latest.domain,
    licence: latest.licence,
    tasks: latest.tasks,
    cpu: latest.cpu,
    cuda_version: latest.cudaVersion,
    framework: latest.framework,
    min_hardware_generation: latest.minHardwareGeneration,
    latest_version: latest.version,
    pull: `docker pull ${pullReference(latest)}`,
    versions: versions.map(versionJson),
  };
}

/** What `docker pull` takes: the reference without the registry scheme, pinned by digest when known. */
export function pullReference(image: CatalogueImage): string {
  return image.url.replace(/^[a-z]+:\/\//i, "");
}
