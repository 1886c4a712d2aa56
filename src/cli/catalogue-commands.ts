// The catalogue from the command line: `hubgate published`, `hubgate deprecate` and
// `hubgate serve`. Local commands open the store in HUBGATE_DATA_DIR (or --data-dir), the
// same one publishing writes; with --server they talk to a running catalogue over HTTP.
import { resolve } from "node:path";
import { readCatalogueSettings, CatalogueSettingsError } from "../catalogue/catalogue-settings.js";
import { Catalogue } from "../catalogue/catalogue-store.js";
import { imageJson } from "../catalogue/image-json.js";
import { readPublishSettings } from "../publish/publish-settings.js";
import type { DeprecateArgs, PublishedArgs, ServeArgs } from "./args.js";

/** The image objects of the seed's API, as `POST /v1/docker/list` returns them. */
type ImageObject = ReturnType<typeof imageJson>;

class CommandError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export async function runPublishedCommand(args: PublishedArgs, env: NodeJS.ProcessEnv): Promise<number> {
  return guard(async () => {
    const filter = { ...(args.kind ? { kind: args.kind } : {}), ...(args.name ? { name: args.name } : {}) };
    let images: ImageObject[];
    let where: string;
    if (args.server) {
      images = (await callServer(args.server, "POST", "/v1/docker/list", filter, env)) as ImageObject[];
      where = args.server;
    } else {
      const dataDir = dataDirOf(args.dataDir, env);
      const catalogue = Catalogue.open(dataDir, { readOnly: true });
      try {
        images = catalogue.list(filter).map(imageJson);
      } finally {
        catalogue.close();
      }
      where = dataDir;
    }
    if (args.format === "json") process.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
    else process.stdout.write(formatPublishedTable(images, where, Object.keys(filter).length > 0));
    return 0;
  });
}

/** One line per version under column headers; the full digest, the commit shortened. */
export function formatPublishedTable(
  images: readonly ImageObject[],
  where: string,
  filtered: boolean,
): string {
  if (images.length === 0)
    return filtered ? `no published image matches (in ${where})\n` : `nothing published yet (in ${where})\n`;
  const header = [
    "KIND",
    "NAME",
    "VERSION",
    "TAGS",
    "DIGEST",
    "COMMIT",
    "BRANCH",
    "GIT TAG",
    "PUBLISHED",
    "STATUS",
  ];
  const rows = images.map((i) => {
    const revision = i.revision as { commit: string | null; branch: string | null; tag: string | null };
    const tags = (i.tags as Array<{ tag: string }>).map((t) => t.tag).join(",");
    return [
      String(i.kind || "-"),
      String(i.name),
      String(i.version),
      tags || "-",
      String(i.digest ?? "-"),
      revision.commit ? revision.commit.slice(0, 12) : "-",
      revision.branch ?? "-",
      revision.tag ?? "-",
      String(i.published_at ?? i.created_at).replace(/\.\d+Z$/, "Z"),
      i.deprecated ? `deprecated: ${String(i.deprecation_reason ?? "")}` : "current",
    ];
  });
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return (
    table
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

export async function runDeprecateCommand(args: DeprecateArgs, env: NodeJS.ProcessEnv): Promise<number> {
  return guard(async () => {
    const label = `${args.kind}/${args.name} ${args.version}`;
    let image: ImageObject;
    if (args.server) {
      const found = (await callServer(
        args.server,
        "POST",
        "/v1/docker/list",
        { kind: args.kind, name: args.name, version: args.version },
        env,
      )) as ImageObject[];
      if (!found[0]) throw new CommandError(`${label} is not in the catalogue at ${args.server}`, 1);
      const path = `/v1/docker/${String(found[0].pk)}/deprecate`;
      image = (await callServer(
        args.server,
        args.undo ? "DELETE" : "POST",
        path,
        args.undo ? undefined : { reason: args.reason },
        env,
      )) as ImageObject;
    } else {
      const dataDir = dataDirOf(args.dataDir, env);
      const reader = Catalogue.open(dataDir, { readOnly: true });
      const found = reader.find(args.kind, args.name, args.version);
      reader.close();
      if (!found) throw new CommandError(`${label} is not in the catalogue in ${dataDir}`, 1);
      const catalogue = Catalogue.open(dataDir);
      try {
        image = imageJson(
          args.undo ? catalogue.undeprecate(found.pk)! : catalogue.deprecate(found.pk, args.reason!)!,
        );
      } finally {
        catalogue.close();
      }
    }
    process.stdout.write(
      image.deprecated
        ? `deprecated ${label}: ${String(image.deprecation_reason)}\n`
        : `${label} is no longer deprecated\n`,
    );
    return 0;
  });
}

export async function runServeCommand(args: ServeArgs, env: NodeJS.ProcessEnv): Promise<number> {
  return guard(async () => {
    const [{ startCatalogueServer }, { pino, destination }] = await Promise.all([
      import("../catalogue/catalogue-server.js"),
      import("pino"),
    ]);
    let settings;
    try {
      settings = readCatalogueSettings(env);
    } catch (error) {
      if (error instanceof CatalogueSettingsError) throw new CommandError(error.message, 2);
      throw error;
    }
    const logger = pino({ level: env.LOG_LEVEL ?? "info" }, destination(2));
    const port = args.port ?? (env.PORT && /^[0-9]{1,5}$/.test(env.PORT) ? Number(env.PORT) : 3000);
    const server = await startCatalogueServer({
      dataDir: dataDirOf(args.dataDir, env),
      settings,
      port,
      host: args.host ?? env.HOST ?? "127.0.0.1",
      logger,
    });
    process.stdout.write(`hubgate catalogue at ${server.url}/catalogue\n`);
    await new Promise<void>((done) => {
      const stop = () => void server.close().then(done);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  });
}

function dataDirOf(given: string | undefined, env: NodeJS.ProcessEnv): string {
  return given ? resolve(given) : readPublishSettings(env).dataDir;
}

/** A call to a catalogue server; the token goes along when the environment has one. */
async function callServer(
  server: string,
  method: string,
  path: string,
  body: unknown,
  env: NodeJS.ProcessEnv,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = env.HUBGATE_CATALOGUE_TOKEN?.trim();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CommandError(`cannot reach the catalogue at ${server}: ${cause}`, 2);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CommandError(
      `${server}${path} answered ${response.status} without JSON; is it a hubgate server?`,
      2,
    );
  }
  if (!response.ok) {
    const message = (json as { error?: string }).error ?? `HTTP ${response.status}`;
    const fields = (json as { fields?: Record<string, string> }).fields;
    const detail = fields
      ? ` (${Object.entries(fields)
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ")})`
      : "";
    throw new CommandError(`the catalogue at ${server} answered ${response.status}: ${message}${detail}`, 2);
  }
  return json;
}

async function guard(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`hubgate: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof Error && (error.name === "PublishSettingsError" || error.name === "SqliteError")) {
      process.stderr.write(`hubgate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
