import type { IncomingMessage, ServerResponse } from "node:http";
import { CatalogueConflict, CatalogueInvalid, type Catalogue, type ImageFields } from "./catalogue-store.js";
import { HttpError } from "../http/json-body.js";
import { sendJson } from "../http/route.js";
import { readJson } from "./http.js";
import { imageJson } from "./image-json.js";
import { parseFrameworkBody, parseImageBody, parseListFilter, type Parsed } from "./image-input.js";

/**
 * The seed's Docker-image API (`/v1/docker/*`) plus the small tables it refers to
 * (`/v1/framework/*`, `/v1/cuda/list`, `/v1/hardware/list`), deprecation and tags.
 * Authorisation is checked by the caller (catalogue-route.ts) from `access`.
 */
export interface ApiContext {
  catalogue: () => Catalogue;
  /** Throws HttpError 401/503 unless the request may read (or write). */
  authorise(req: IncomingMessage, access: "read" | "write"): void;
}

const IMAGE = /^\/v1\/docker\/([^/]+)$/;
const DEPRECATE = /^\/v1\/docker\/([^/]+)\/deprecate$/;
const TAG = /^\/v1\/docker\/([^/]+)\/tags\/([^/]+)$/;
const FRAMEWORK = /^\/v1\/framework\/([^/]+)$/;

export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (!path.startsWith("/v1/")) return false;
  const method = req.method ?? "GET";
  let m: RegExpExecArray | null;

  if (path === "/v1/docker/list") {
    allow(method, ["POST"]);
    ctx.authorise(req, "read");
    const filter = valid(parseListFilter(await readJson(req, true)));
    sendJson(res, 200, ctx.catalogue().list(filter).map(imageJson));
    return true;
  }
  if (path === "/v1/docker/create") {
    allow(method, ["POST"]);
    ctx.authorise(req, "write");
    const fields = valid(parseImageBody(await readJson(req), "create"));
    const image = write(() =>
      ctx
        .catalogue()
        .create(fields as ImageFields & { name: string; version: string; url: string; registryUrl: string }),
    );
    sendJson(res, 201, imageJson(image));
    return true;
  }
  if ((m = DEPRECATE.exec(path))) {
    allow(method, ["POST", "DELETE"]);
    ctx.authorise(req, "write");
    const pk = primaryKey(m[1]!, "image");
    let image;
    if (method === "POST") {
      const body = await readJson(req);
      const reason = (body as { reason?: unknown } | null)?.reason;
      if (typeof reason !== "string" || reason.trim() === "" || reason.length > 1000)
        throw new HttpError(400, "validation failed", {
          fields: { reason: "required: why this version is deprecated (at most 1000 characters)" },
        });
      image = ctx.catalogue().deprecate(pk, reason.trim());
    } else image = ctx.catalogue().undeprecate(pk);
    if (!image) throw notFound("image", pk);
    sendJson(res, 200, imageJson(image));
    return true;
  }
  if ((m = TAG.exec(path))) {
    allow(method, ["PUT", "DELETE"]);
    ctx.authorise(req, "write");
    const pk = primaryKey(m[1]!, "image");
    const tag = decodeURIComponent(m[2]!);
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag))
      throw new HttpError(400, "validation failed", {
        fields: { tag: "must be a Docker tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}" },
      });
    const catalogue = ctx.catalogue();
    if (!catalogue.get(pk)) throw notFound("image", pk);
    if (method === "PUT") {
      const body = (await readJson(req, true)) as { protected?: unknown } | undefined;
      if (body?.protected !== undefined && typeof body.protected !== "boolean")
        throw new HttpError(400, "validation failed", { fields: { protected: "must be true or false" } });
      write(() => catalogue.setTag(pk, tag, { protected: body?.protected === true }));
    } else if (!write(() => catalogue.removeTag(pk, tag)))
      throw new HttpError(404, `image ${pk} has no tag ${tag}`);
    sendJson(res, 200, imageJson(catalogue.get(pk)!));
    return true;
  }
  if ((m = IMAGE.exec(path))) {
    allow(method, ["GET", "PUT", "PATCH", "DELETE"]);
    const pk = primaryKey(m[1]!, "image");
    const catalogue = ctx.catalogue();
    if (method === "GET") {
      ctx.authorise(req, "read");
      const image = catalogue.get(pk);
      if (!image) throw notFound("image", pk);
      sendJson(res, 200, imageJson(image));
      return true;
    }
    ctx.authorise(req, "write");
    if (method === "DELETE") {
      if (!write(() => catalogue.delete(pk))) throw notFound("image", pk);
      res.writeHead(204).end();
      return true;
    }
    // Parse before looking up, but answer 404 for an unknown pk whatever the body says.
    const parsed = parseImageBody(await readJson(req), method === "PUT" ? "put" : "patch");
    if (!catalogue.get(pk)) throw notFound("image", pk);
    const image = write(() => catalogue.update(pk, valid(parsed)));
    if (!image) throw notFound("image", pk);
    sendJson(res, 200, imageJson(image));
    return true;
  }

  if (path === "/v1/framework/list") {
    allow(method, ["POST", "GET"]);
    ctx.authorise(req, "read");
    sendJson(res, 200, ctx.catalogue().listFrameworks());
    return true;
  }
  if (path === "/v1/framework/create") {
    allow(method, ["POST"]);
    ctx.authorise(req, "write");
    const framework = valid(parseFrameworkBody(await readJson(req)));
    sendJson(
      res,
      201,
      write(() => ctx.catalogue().createFramework(framework)),
    );
    return true;
  }
  if ((m = FRAMEWORK.exec(path))) {
    allow(method, ["GET"]);
    ctx.authorise(req, "read");
    const pk = primaryKey(m[1]!, "framework");
    const framework = ctx.catalogue().getFramework(pk);
    if (!framework) throw notFound("framework", pk);
    sendJson(res, 200, framework);
    return true;
  }
  if (path === "/v1/cuda/list" || path === "/v1/hardware/list") {
    allow(method, ["POST", "GET"]);
    ctx.authorise(req, "read");
    const catalogue = ctx.catalogue();
    sendJson(
      res,
      200,
      path === "/v1/cuda/list" ? catalogue.listCudaVersions() : catalogue.listHardwareGenerations(),
    );
    return true;
  }
  return false;
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method))
    throw new HttpError(405, `use ${methods.join(" or ")} here, not ${method.slice(0, 16)}`, {
      allow: methods,
    });
}

function primaryKey(raw: string, what: string): number {
  const pk = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(pk))
    throw new HttpError(404, `no ${what} ${raw.slice(0, 40)}: primary keys are positive integers`);
  return pk;
}

function notFound(what: string, pk: number): HttpError {
  return new HttpError(404, `no ${what} with pk ${pk}`);
}

function valid<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new HttpError(400, "validation failed", { fields: parsed.errors });
  return parsed.value;
}

/** Store errors as HTTP answers: a clash is 409, a bad value 400 with its field. */
function write<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof CatalogueConflict) throw new HttpError(409, error.message);
    if (error instanceof CatalogueInvalid)
      throw new HttpError(400, "validation failed", { fields: { [error.field]: error.message } });
    throw error;
  }
}
