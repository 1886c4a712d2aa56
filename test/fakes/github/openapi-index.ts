/**
 * GitHub's REST description (`@octokit/openapi`, `api.github.com.deref.json`, ~70 MB) turned into a
 * route index and lazily compiled request validators for the fake GitHub server.
 *
 * Loading is done once per module registry (jest gives every test file its own registry) and, to keep
 * the second and later test files fast, a slim extract (operations, parameters, request bodies: ~1.4 MB)
 * is cached on disk under the OS temp dir, keyed by the package version and the file's size and mtime.
 * Set HUBGATE_FAKE_GITHUB_SPEC_CACHE=0 to always parse the full description.
 *
 * The package's own entry point (`require("@octokit/openapi")`) is deliberately NOT used: it `require`s
 * all ten descriptions (~400 MB of JSON) eagerly. The one file we need is read directly.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

export type JsonSchema = Record<string, unknown>;

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  /** GitHub's extension: the path parameter may contain `/` (refs, file paths, `base...head`). */
  "x-multi-segment"?: boolean;
}

export interface OperationSpec {
  method: string; // upper case
  pathTemplate: string;
  operationId: string; // as in the description, e.g. "checks/create"
  parameters: ParameterSpec[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
}

interface SlimSpec {
  format: number;
  key: string;
  version: string;
  operations: OperationSpec[];
}

export interface SpecLoadStats {
  /** Where the operations came from: the full description or the slim on-disk extract. */
  source: "openapi" | "cache";
  ms: number;
  operations: number;
  version: string;
}

/** Bump when the slim extract's shape or the schema normalisation changes. */
const SLIM_FORMAT = 2;
const SPEC_FILE = "@octokit/openapi/generated/api.github.com.deref.json";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** OpenAPI 3.0 `nullable` → JSON Schema: ajv refuses `nullable` without `type`, and ignores it in `enum`. */
export function normaliseSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseSchema);
  if (!node || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node as JsonSchema)) {
    // Documentation-only keys make up most of the bytes; validation does not need them.
    if (k === "description" || k === "example" || k === "examples" || k === "title") {
      if (typeof v === "string" || k === "example" || k === "examples") continue;
    }
    out[k] = k === "properties" ? mapValues(v, normaliseSchema) : normaliseSchema(v);
  }
  if (out.nullable === true) {
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) {
      delete out.nullable;
      return { anyOf: [out, { type: "null" }] };
    }
  }
  return out;
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as JsonSchema).map(([k, x]) => [k, f(x)]));
}

function extractOperations(spec: { paths: Record<string, Record<string, unknown>> }): OperationSpec[] {
  const ops: OperationSpec[] = [];
  for (const [pathTemplate, item] of Object.entries(spec.paths)) {
    const shared = (item.parameters as ParameterSpec[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as
        | { operationId: string; parameters?: ParameterSpec[]; requestBody?: OperationSpec["requestBody"] }
        | undefined;
      if (!op) continue;
      const parameters = [...shared, ...(op.parameters ?? [])].map((p) => ({
        name: p.name,
        in: p.in,
        ...(p.required ? { required: true } : {}),
        ...(p.schema ? { schema: normaliseSchema(p.schema) as JsonSchema } : {}),
        ...(p["x-multi-segment"] ? { "x-multi-segment": true } : {}),
      }));
      const requestBody = op.requestBody
        ? {
            ...(op.requestBody.required ? { required: true } : {}),
            content: Object.fromEntries(
              Object.entries(op.requestBody.content).map(([type, media]) => [
                type,
                media.schema ? { schema: normaliseSchema(media.schema) as JsonSchema } : {},
              ]),
            ),
          }
        : undefined;
      ops.push({
        method: method.toUpperCase(),
        pathTemplate,
        operationId: op.operationId,
        parameters,
        ...(requestBody ? { requestBody } : {}),
      });
    }
  }
  return ops;
}

function loadOperations(): { operations: OperationSpec[]; stats: SpecLoadStats } {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const file = require.resolve(SPEC_FILE);
  const version = (
    JSON.parse(readFileSync(require.resolve("@octokit/openapi/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const st = statSync(file);
  const key = createHash("sha256")
    .update(`${SLIM_FORMAT}:${version}:${st.size}:${st.mtimeMs}`)
    .digest("hex")
    .slice(0, 16);
  const useCache = process.env.HUBGATE_FAKE_GITHUB_SPEC_CACHE !== "0";
  const cacheDir = join(tmpdir(), "hubgate-fake-github");
  const cacheFile = join(cacheDir, `openapi-${version}-${key}.json`);
  if (useCache) {
    try {
      const slim = JSON.parse(readFileSync(cacheFile, "utf8")) as SlimSpec;
      if (slim.format === SLIM_FORMAT && slim.key === key && Array.isArray(slim.operations)) {
        const ms = performance.now() - started;
        return {
          operations: slim.operations,
          stats: { source: "cache", ms, operations: slim.operations.length, version },
        };
      }
    } catch {
      // no usable cache: parse the description below
    }
  }
  const operations = extractOperations(JSON.parse(readFileSync(file, "utf8")));
  const ms = performance.now() - started;
  if (useCache) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(
        tmp,
        JSON.stringify({ format: SLIM_FORMAT, key, version, operations } satisfies SlimSpec),
      );
      renameSync(tmp, cacheFile); // atomic: parallel jest workers never read a half-written cache
    } catch {
      // the cache is an optimisation only
    }
  }
  return { operations, stats: { source: "openapi", ms, operations: operations.length, version } };
}

export interface RouteMatch {
  op: OperationSpec;
  /** Decoded path parameter values. */
  params: Record<string, string>;
}

export type MatchResult =
  | { kind: "ok"; match: RouteMatch }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

interface CompiledRoute {
  template: string;
  regex: RegExp;
  names: string[];
  /** Higher wins: literal segments first, then fewer multi-segment params. */
  score: number;
  ops: Map<string, OperationSpec>;
}

export interface RequestErrors {
  /** "path" | "query" | "body" */
  in: string;
  errors: ErrorObject[];
}

interface OperationValidators {
  path: ValidateFunction;
  query: ValidateFunction;
  body?: ValidateFunction;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class OpenApiIndex {
  readonly byOperationId = new Map<string, OperationSpec>();
  private readonly buckets = new Map<string, CompiledRoute[]>();
  private readonly validators = new Map<OperationSpec, OperationValidators>();
  /** Request bodies: no coercion, exactly like a JSON body arrives. */
  private readonly bodyAjv: Ajv;
  /** Path and query strings: coerced to the parameter's declared type first. */
  private readonly paramAjv: Ajv;

  constructor(
    readonly operations: OperationSpec[],
    readonly stats: SpecLoadStats,
  ) {
    this.bodyAjv = OpenApiIndex.newAjv(false);
    this.paramAjv = OpenApiIndex.newAjv(true);
    const routes = new Map<string, CompiledRoute>();
    for (const op of operations) {
      this.byOperationId.set(op.operationId, op);
      let route = routes.get(op.pathTemplate);
      if (!route) {
        route = OpenApiIndex.compileTemplate(op);
        routes.set(op.pathTemplate, route);
        const first = op.pathTemplate.split("/")[1] ?? "";
        const bucketKey = first.includes("{") ? "*" : first;
        const bucket = this.buckets.get(bucketKey) ?? [];
        bucket.push(route);
        this.buckets.set(bucketKey, bucket);
      }
      route.ops.set(op.method, op);
    }
    for (const bucket of this.buckets.values()) bucket.sort((a, b) => b.score - a.score);
  }

  private static newAjv(coerce: boolean): Ajv {
    const ajv = new Ajv({ allErrors: true, strict: false, ...(coerce ? { coerceTypes: "array" } : {}) });
    addFormats(ajv);
    // Formats GitHub's description uses that ajv-formats does not define: accept any value.
    for (const f of ["int32", "int64", "double", "uri-template", "timestamp", "repo.nwo", "binary"]) {
      ajv.addFormat(f, true);
    }
    return ajv;
  }

  private static compileTemplate(op: OperationSpec): CompiledRoute {
    const multi = new Set(
      op.parameters.filter((p) => p.in === "path" && p["x-multi-segment"]).map((p) => p.name),
    );
    const names: string[] = [];
    let literalSegments = 0;
    let multiCount = 0;
    const segments = op.pathTemplate.split("/").map((segment) => {
      if (!segment.includes("{")) {
        literalSegments++;
        return escapeRegex(segment);
      }
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (!m) return escapeRegex(part);
          const name = m[1] as string;
          names.push(name);
          if (multi.has(name)) {
            multiCount++;
            return "(.+?)";
          }
          return "([^/]+)";
        })
        .join("");
    });
    return {
      template: op.pathTemplate,
      regex: new RegExp(`^${segments.join("/")}$`),
      names,
      score: literalSegments * 100 - multiCount * 10 - names.length,
      ops: new Map(),
    };
  }

  /** Match a raw (still percent-encoded) request path. */
  match(method: string, rawPath: string): MatchResult {
    const first = rawPath.split("/")[1] ?? "";
    const candidates = [...(this.buckets.get(first) ?? []), ...(this.buckets.get("*") ?? [])];
    let allowed: string[] | undefined;
    for (const route of candidates) {
      const m = route.regex.exec(rawPath);
      if (!m) continue;
      const op = route.ops.get(method.toUpperCase());
      if (!op) {
        allowed ??= [...route.ops.keys()];
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        const raw = m[i + 1] ?? "";
        let value = raw;
        try {
          value = decodeURIComponent(raw);
        } catch {
          // keep the raw value; validation reports what it can
        }
        params[name] = value;
      });
      return { kind: "ok", match: { op, params } };
    }
    return allowed ? { kind: "method-not-allowed", allowed } : { kind: "not-found" };
  }

  private validatorsFor(op: OperationSpec): OperationValidators {
    let v = this.validators.get(op);
    if (v) return v;
    const objectOf = (where: "path" | "query", additional: boolean) => {
      const params = op.parameters.filter((p) => p.in === where);
      return {
        type: "object",
        properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
        required: params.filter((p) => p.required || where === "path").map((p) => p.name),
        additionalProperties: additional,
      };
    };
    const bodySchema = op.requestBody?.content["application/json"]?.schema;
    v = {
      path: this.paramAjv.compile(objectOf("path", true)),
      // GitHub ignores unknown query parameters; the fake reports them, since relying on one is a bug.
      query: this.paramAjv.compile(objectOf("query", false)),
      ...(bodySchema ? { body: this.bodyAjv.compile(bodySchema) } : {}),
    };
    this.validators.set(op, v);
    return v;
  }

  /**
   * Validate path params, query params and the JSON body. `query` values are strings (arrays for repeated
   * keys); they are coerced in place on a copy. `body` is `undefined` when the request had none.
   */
  validate(
    match: RouteMatch,
    query: Record<string, string | string[]>,
    body: unknown,
    contentType: string | undefined,
  ): RequestErrors[] {
    const { op } = match;
    const v = this.validatorsFor(op);
    const problems: RequestErrors[] = [];
    const path = { ...match.params };
    if (!v.path(path)) problems.push({ in: "path", errors: [...(v.path.errors ?? [])] });
    const q = { ...query };
    if (!v.query(q)) problems.push({ in: "query", errors: [...(v.query.errors ?? [])] });
    const rb = op.requestBody;
    if (body === undefined) {
      if (rb?.required)
        problems.push({ in: "body", errors: [customError("", "required", "a request body is required")] });
    } else if (!rb) {
      problems.push({
        in: "body",
        errors: [customError("", "additionalProperties", "this operation takes no request body")],
      });
    } else if (v.body && (!contentType || /json/i.test(contentType))) {
      if (!v.body(body)) problems.push({ in: "body", errors: [...(v.body.errors ?? [])] });
    }
    return problems;
  }
}

/** An ajv-shaped error for rules checked by hand. */
export function customError(
  instancePath: string,
  keyword: string,
  message: string,
  params: Record<string, unknown> = {},
): ErrorObject {
  return { instancePath, schemaPath: `#/x-fake-github/${keyword}`, keyword, params, message };
}

let cached: OpenApiIndex | undefined;

/** The index for this module registry: built on first use, then shared by every fake server. */
export function getOpenApiIndex(): OpenApiIndex {
  if (!cached) {
    const { operations, stats } = loadOperations();
    cached = new OpenApiIndex(operations, stats);
  }
  return cached;
}
