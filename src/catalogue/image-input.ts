import type { ImageFields, ImageFilter } from "./catalogue-store.js";
import { READ_ONLY_FIELDS } from "./image-json.js";

/**
 * Validation of `/v1/docker/*` request bodies. Every problem is collected (field → why), so
 * one 400 answer names them all. Lengths are capped: the catalogue is a public page.
 */
export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const MAX_TEXT = 256;
const MAX_URL = 2048;

type Mode = "create" | "put" | "patch";

/** Fields a create and a put must carry; the rest may be missing or null. */
const REQUIRED = ["name", "version", "url", "registry_url", "domain", "tasks", "cpu", "licence"] as const;

const WRITABLE = new Set([
  "name",
  "version",
  "url",
  "registry_url",
  "registry_username",
  "registry_password",
  "cuda_version",
  "framework",
  "domain",
  "tasks",
  "min_hardware_generation",
  "cpu",
  "licence",
  "kind",
  "description",
]);

export function parseImageBody(body: unknown, mode: Mode): Parsed<ImageFields> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, errors: { body: "must be a JSON object" } };
  const input = body as Record<string, unknown>;
  const errors: FieldErrors = {};
  const fields: ImageFields = {};
  for (const key of Object.keys(input))
    if (!WRITABLE.has(key) && !READ_ONLY_FIELDS.has(key)) errors[key] = "unknown field";
  if (mode !== "patch") for (const key of REQUIRED) if (input[key] === undefined) errors[key] = "required";

  const has = (key: string) => input[key] !== undefined;
  const text = (key: string, max = MAX_TEXT, options: { nullable?: boolean; empty?: boolean } = {}) => {
    const value = input[key];
    if (value === null && options.nullable) return null;
    if (typeof value !== "string") {
      errors[key] = options.nullable ? "must be a string or null" : "must be a string";
      return undefined;
    }
    if (!options.empty && value.trim() === "") errors[key] = "must not be empty";
    else if (value.length > max) errors[key] = `must be at most ${max} characters`;
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(value)) errors[key] = "must not contain control characters";
    else return value;
    return undefined;
  };

  if (has("name")) fields.name = text("name") ?? undefined;
  if (has("version")) fields.version = text("version", 128) ?? undefined;
  if (has("kind")) fields.kind = text("kind", 64, { empty: true }) ?? undefined;
  if (has("url")) fields.url = text("url", MAX_URL) ?? undefined;
  if (has("registry_url")) {
    const value = text("registry_url", MAX_URL);
    if (value !== undefined && value !== null) {
      if (!isHttpUrl(value)) errors.registry_url = "must be an http:// or https:// URL";
      else if (hasCredentials(value))
        errors.registry_url =
          "must not carry a user or password; use registry_username and registry_password";
      else fields.registryUrl = value;
    }
  }
  if (has("registry_username")) {
    const value = text("registry_username", MAX_TEXT, { nullable: true });
    if (value !== undefined) fields.registryUsername = value;
  }
  if (has("registry_password")) {
    const value = input.registry_password;
    if (value === null) fields.registryPassword = null;
    else if (typeof value !== "string" || value === "")
      errors.registry_password = "must be a non-empty string or null";
    else if (value.length > 4096) errors.registry_password = "must be at most 4096 characters";
    else fields.registryPassword = value;
  }
  if (has("cuda_version")) {
    const value = input.cuda_version;
    if (value === null) fields.cudaVersion = null;
    else if (typeof value !== "string" || !/^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/.test(value))
      errors.cuda_version = 'must be a CUDA version string such as "11.8", or null';
    else fields.cudaVersion = value;
  }
  if (has("framework")) {
    const value = input.framework;
    if (value === null) fields.frameworkPk = null;
    else if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
      errors.framework = "must be the primary key (a positive integer) of a framework, or null";
    else fields.frameworkPk = value;
  }
  if (has("domain")) fields.domain = text("domain", 64, { empty: true }) ?? undefined;
  if (has("tasks")) {
    const value = input.tasks;
    if (!Array.isArray(value) || value.some((t) => typeof t !== "string" || t.trim() === "" || t.length > 64))
      errors.tasks = "must be an array of non-empty strings (at most 64 characters each)";
    else if (value.length > 32) errors.tasks = "must hold at most 32 tasks";
    else fields.tasks = value as string[];
  }
  if (has("min_hardware_generation")) {
    const value = input.min_hardware_generation;
    if (value === null) fields.minHardwareGeneration = null;
    else if (typeof value !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/.test(value))
      errors.min_hardware_generation =
        "must be a hardware generation name (letters, digits, . _ - space), or null";
    else fields.minHardwareGeneration = value;
  }
  if (has("cpu")) {
    if (typeof input.cpu !== "boolean") errors.cpu = "must be true or false";
    else fields.cpu = input.cpu;
  }
  if (has("licence")) fields.licence = text("licence", 64, { empty: true }) ?? undefined;
  if (has("description")) {
    const value = input.description;
    if (value === null) fields.description = null;
    else if (typeof value !== "string" || value.length > 4096)
      errors.description = "must be a string of at most 4096 characters, or null";
    else fields.description = value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: fields };
}

/** `POST /v1/docker/list` filters; the body is optional. */
export function parseListFilter(body: unknown): Parsed<ImageFilter> {
  if (body === undefined || body === null) return { ok: true, value: {} };
  if (typeof body !== "object" || Array.isArray(body))
    return { ok: false, errors: { body: "must be a JSON object of filters" } };
  const input = body as Record<string, unknown>;
  const errors: FieldErrors = {};
  const filter: ImageFilter = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "kind":
      case "name":
      case "version":
      case "domain":
        if (typeof value !== "string" || value.length > MAX_TEXT) errors[key] = "must be a string";
        else filter[key] = value;
        break;
      case "framework":
        if (typeof value !== "number" || !Number.isSafeInteger(value))
          errors[key] = "must be a framework primary key";
        else filter.frameworkPk = value;
        break;
      case "cpu":
      case "deprecated":
        if (typeof value !== "boolean") errors[key] = "must be true or false";
        else filter[key] = value;
        break;
      default:
        errors[key] = "unknown filter (kind, name, version, domain, framework, cpu, deprecated)";
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: filter };
}

export function parseFrameworkBody(
  body: unknown,
): Parsed<{ name: string; version: string | null; url: string | null }> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, errors: { body: "must be a JSON object" } };
  const input = body as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const key of Object.keys(input))
    if (!["name", "version", "url", "pk"].includes(key)) errors[key] = "unknown field";
  const name = input.name;
  if (typeof name !== "string" || !/^[A-Za-z][A-Za-z0-9._+-]{0,63}$/.test(name))
    errors.name = "required: a framework name (a letter, then letters, digits, . _ + -; at most 64)";
  const version = input.version ?? null;
  if (version !== null && (typeof version !== "string" || version.length > 64 || version.trim() === ""))
    errors.version = "must be a non-empty string of at most 64 characters, or null";
  const url = input.url ?? null;
  if (url !== null && (typeof url !== "string" || !isHttpUrl(url)))
    errors.url = "must be an http(s) URL, or null";
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: { name: name as string, version: version as string | null, url: url as string | null },
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function hasCredentials(value: string): boolean {
  const url = new URL(value);
  return url.username !== "" || url.password !== "";
}
