import { createHash } from "node:crypto";
import { InfrastructureError } from "../core/infrastructure-error.js";
import type { ImageContent } from "./image-identity.js";
import type { RegistryCredentials } from "./publish-settings.js";

/**
 * A small Docker Registry HTTP API v2 client (fetch only): just what publishing needs to
 * look before it pushes and to move `latest`. Every failure here is on our side (registry
 * down, wrong credentials), so every error is an InfrastructureError; no message ever
 * carries a password or a token.
 */

/** Single-image manifests: their `config.digest` is the image ID (`docker image inspect .Id`). */
export const IMAGE_MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
] as const;
/** Multi-platform indexes: no single config to compare with. */
export const INDEX_MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
] as const;
const ACCEPT = [...IMAGE_MANIFEST_TYPES, ...INDEX_MANIFEST_TYPES].join(", ");

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const TAGS_PAGE = 1000;

export interface RemoteManifest {
  digest: string;
  mediaType: string;
  /** The exact bytes the registry holds: the digest is over these, so they are copied as they are. */
  body: Buffer;
  /** Image ID of a single-image manifest; undefined for an index. */
  configDigest?: string;
}

export interface RegistryClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:5000` (see PublishSettings.registryUrl). */
  url: string;
  credentials?: RegistryCredentials;
  timeoutMs?: number;
}

type Action = "pull" | "push";

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class RegistryClient {
  readonly host: string;
  private readonly base: string;
  private readonly credentials?: RegistryCredentials;
  private readonly timeoutMs: number;
  /** Authorization per scope: basic auth is one entry for all, bearer tokens are per repository and action. */
  private readonly tokens = new Map<string, CachedToken>();
  private basic = false;

  constructor(options: RegistryClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.host = new URL(this.base).host;
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `HEAD /v2/<name>/manifests/<tag>`: the manifest digest, or undefined when the tag does not exist. */
  async manifestDigest(repository: string, tag: string): Promise<string | undefined> {
    const response = await this.request("HEAD", repository, `manifests/${tag}`, "pull", {
      headers: { accept: ACCEPT },
    });
    if (response.status === 404) return undefined;
    this.expectOk(response, "HEAD", repository, tag);
    const digest = response.headers.get("docker-content-digest");
    // The header is optional in the spec: fall back to hashing the manifest itself.
    return digest ?? (await this.manifest(repository, tag))?.digest;
  }

  /** `GET /v2/<name>/manifests/<reference>`, or undefined on 404. */
  async manifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
    const response = await this.request("GET", repository, `manifests/${reference}`, "pull", {
      headers: { accept: ACCEPT },
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    this.expectOk(response, "GET", repository, reference);
    const body = await readLimited(response, MAX_MANIFEST_BYTES, this.host);
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    let parsed: { mediaType?: unknown; config?: { digest?: unknown } };
    try {
      parsed = JSON.parse(body.toString("utf8")) as typeof parsed;
    } catch (error) {
      throw new InfrastructureError(
        `registry at ${this.host} returned a manifest for ${repository}:${reference} that is not JSON`,
        { cause: error },
      );
    }
    const mediaType =
      (typeof parsed.mediaType === "string" ? parsed.mediaType : undefined) ??
      response.headers.get("content-type")?.split(";")[0]?.trim() ??
      IMAGE_MANIFEST_TYPES[0];
    const configDigest =
      (IMAGE_MANIFEST_TYPES as readonly string[]).includes(mediaType) &&
      typeof parsed.config?.digest === "string"
        ? parsed.config.digest
        : undefined;
    // A by-tag GET has no digest to verify against; the registry's header is what HEAD reports.
    return { digest: response.headers.get("docker-content-digest") ?? digest, mediaType, body, configDigest };
  }

  /** A blob (here: an image config) by digest, checked against that digest. */
  async blob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request("GET", repository, `blobs/${digest}`, "pull", {});
    this.expectOk(response, "GET", repository, digest);
    const body = await readLimited(response, MAX_CONFIG_BYTES, this.host);
    const actual = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    if (digest.startsWith("sha256:") && actual !== digest)
      throw new InfrastructureError(
        `registry at ${this.host} returned blob ${actual} when asked for ${digest}`,
      );
    return body;
  }

  /** Layers and runtime config of a published single-image manifest, for a content comparison. */
  async imageContent(repository: string, configDigest: string): Promise<ImageContent> {
    const config = JSON.parse((await this.blob(repository, configDigest)).toString("utf8")) as {
      config?: Record<string, unknown> | null;
      rootfs?: { diff_ids?: unknown };
    };
    const layers = Array.isArray(config.rootfs?.diff_ids)
      ? config.rootfs.diff_ids.filter((d): d is string => typeof d === "string")
      : [];
    return { layers, config: config.config ?? null };
  }

  /** All tags of a repository (`GET /v2/<name>/tags/list`, paginated); [] when it does not exist. */
  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `tags/list?n=${TAGS_PAGE}`;
    while (next !== undefined) {
      const response = await this.request("GET", repository, next, "pull", {});
      if (response.status === 404) {
        await response.body?.cancel();
        return tags;
      }
      this.expectOk(response, "GET", repository, "tags/list");
      const body = JSON.parse(
        (await readLimited(response, MAX_MANIFEST_BYTES, this.host)).toString("utf8"),
      ) as {
        tags?: unknown;
      };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === "string"));
      next = nextPage(response.headers.get("link"), repository);
    }
    return tags;
  }

  /**
   * `PUT /v2/<name>/manifests/<tag>` with bytes read from the same repository: tags an
   * existing manifest again without pushing anything, so both tags get the same digest.
   */
  async putManifest(repository: string, tag: string, manifest: Pick<RemoteManifest, "mediaType" | "body">) {
    const response = await this.request("PUT", repository, `manifests/${tag}`, "push", {
      headers: { "content-type": manifest.mediaType },
      body: manifest.body,
    });
    this.expectOk(response, "PUT", repository, tag);
    await response.body?.cancel();
    return (
      response.headers.get("docker-content-digest") ??
      `sha256:${createHash("sha256").update(manifest.body).digest("hex")}`
    );
  }

  /**
   * `GET /v2/`: the registry answers and takes our credentials, as `docker login` checks.
   * Lets a publish fail before it spends minutes on builds.
   */
  async checkAccess(): Promise<void> {
    const response = await this.send("GET", "", "", {});
    if (response.status === 404)
      throw new InfrastructureError(
        `${this.host} does not speak the Docker Registry API v2 (GET /v2/ answered 404)`,
      );
    this.expectOk(response, "GET", "/v2/", "");
  }

  private request(
    method: string,
    repository: string,
    path: string,
    action: Action,
    init: { headers?: Record<string, string>; body?: Buffer },
  ): Promise<Response> {
    const scope = `repository:${repository}:${action === "push" ? "pull,push" : "pull"}`;
    return this.send(method, `${repository}/${path}`, scope, init);
  }

  /** One request with the 401 → authenticate → retry dance; `scope` "" = registry-wide (GET /v2/). */
  private async send(
    method: string,
    path: string,
    scope: string,
    init: { headers?: Record<string, string>; body?: Buffer },
  ): Promise<Response> {
    const url = `${this.base}/v2/${path}`;
    let response = await this.attempt(method, url, init, this.cachedAuthorization(scope));
    if (response.status !== 401) return response;

    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    await response.body?.cancel();
    const authorization = await this.authorize(challenge, scope);
    response = await this.attempt(method, url, init, authorization);
    if (response.status === 401) {
      await response.body?.cancel();
      throw this.rejected();
    }
    return response;
  }

  private cachedAuthorization(scope: string): string | undefined {
    if (this.basic) return this.basicHeader();
    const token = this.tokens.get(scope);
    return token && token.expiresAt > Date.now() ? token.header : undefined;
  }

  private async authorize(challenge: Challenge | undefined, scope: string): Promise<string> {
    if (challenge?.scheme === "bearer") return this.bearer(challenge, scope);
    if (challenge?.scheme === "basic" || challenge === undefined) {
      if (!this.credentials) throw this.credentialsNeeded();
      if (this.basic) throw this.rejected();
      this.basic = true;
      return this.basicHeader();
    }
    throw new InfrastructureError(
      `registry at ${this.host} asks for "${challenge.scheme}" authentication, which hubgate does not speak (only Basic and Bearer tokens)`,
    );
  }

  /** The token flow of the distribution spec: ask the realm for a token for this scope. */
  private async bearer(challenge: Challenge, scope: string): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm)
      throw new InfrastructureError(`registry at ${this.host} sent a Bearer challenge without a realm`);
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch (error) {
      throw new InfrastructureError(`registry at ${this.host} sent an invalid token realm`, { cause: error });
    }
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    // Our scope, not the challenge's: a push needs pull,push even when a HEAD was challenged first.
    if (scope) tokenUrl.searchParams.set("scope", scope);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.credentials) headers.authorization = this.basicHeader();
    const response = await this.fetchOrExplain(
      tokenUrl.toString(),
      { method: "GET", headers },
      tokenUrl.host,
    );
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.credentials ? this.rejected() : this.credentialsNeeded();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new InfrastructureError(
        `the token service of registry ${this.host} (${tokenUrl.host}) answered HTTP ${response.status}`,
      );
    }
    const body = JSON.parse((await readLimited(response, 1024 * 1024, tokenUrl.host)).toString("utf8")) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const token =
      typeof body.token === "string"
        ? body.token
        : typeof body.access_token === "string"
          ? body.access_token
          : "";
    if (!token) throw new InfrastructureError(`the token service of registry ${this.host} returned no token`);
    // The spec's default lifetime is 60 s; renew a little early.
    const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    const header = `Bearer ${token}`;
    this.tokens.set(scope, { header, expiresAt: Date.now() + Math.max(seconds - 10, 1) * 1000 });
    return header;
  }

  private basicHeader(): string {
    const { username, password } = this.credentials ?? { username: "", password: "" };
    return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  private rejected(): InfrastructureError {
    return new InfrastructureError(
      `registry at ${this.host} rejected the credentials of user "${this.credentials?.username ?? ""}"; ` +
        "check HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD",
    );
  }

  private credentialsNeeded(): InfrastructureError {
    return new InfrastructureError(
      `registry at ${this.host} requires credentials; set HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD`,
    );
  }

  private attempt(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: Buffer },
    auth?: string,
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (auth) headers.authorization = auth;
    return this.fetchOrExplain(url, { method, headers, body: init.body }, this.host);
  }

  private async fetchOrExplain(url: string, init: RequestInit, host: string): Promise<Response> {
    try {
      // Redirects are followed by fetch, which drops Authorization when the origin changes.
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw unreachable(host, error, this.timeoutMs);
    }
  }

  private expectOk(response: Response, method: string, repository: string, reference: string) {
    if (response.ok) return;
    void response.body?.cancel();
    const what = reference ? `${method} ${repository}:${reference}` : `${method} ${repository}`;
    if (response.status === 403)
      throw new InfrastructureError(
        `registry at ${this.host} denied ${what}: the account has no permission for this repository`,
      );
    throw new InfrastructureError(`registry at ${this.host} answered HTTP ${response.status} to ${what}`);
  }
}

export function unreachable(host: string, error: unknown, timeoutMs: number): InfrastructureError {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return new InfrastructureError(
      `registry at ${host} did not answer within ${Math.round(timeoutMs / 1000)} s`,
      {
        cause: error,
      },
    );
  const detail = e?.cause?.code ?? e?.cause?.message ?? (error as Error)?.message ?? String(error);
  return new InfrastructureError(`registry at ${host} is unreachable (${detail})`, { cause: error });
}

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → scheme + parameters. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[2]!.matchAll(
    /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g,
  ))
    params[key!.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
  return { scheme: match[1]!.toLowerCase(), params };
}

/** The `rel="next"` page of a Link header, as a path relative to /v2/<name>/. */
function nextPage(link: string | null, repository: string): string | undefined {
  const target = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
  if (!target) return undefined;
  const url = new URL(target, "http://registry.invalid");
  const prefix = `/v2/${repository}/`;
  return url.pathname.startsWith(prefix) ? `${url.pathname.slice(prefix.length)}${url.search}` : undefined;
}

async function readLimited(response: Response, limit: number, host: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new InfrastructureError(
      `registry at ${host} announced ${declared} bytes where a small document was expected`,
    );
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > limit)
    throw new InfrastructureError(
      `registry at ${host} sent more than ${limit} bytes where a small document was expected`,
    );
  return body;
}
