import type { IncomingMessage } from "node:http";
import { bearerToken, sameSecret } from "../http/bearer.js";
import { HttpError, readBodyText } from "../http/json-body.js";

/** Request bodies are small JSON objects; anything larger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;

/** The catalogue's JSON body: any JSON value, sent as application/json; `optional` lets an empty body through. */
export async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await readBodyText(req, MAX_BODY_BYTES);
  if (text.trim() === "") {
    if (optional) return undefined;
    throw new HttpError(400, "a JSON body is required");
  }
  if (type && type !== "application/json")
    throw new HttpError(415, `send the body as application/json, not ${type.slice(0, 100)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The request carries the configured bearer token (compared in constant time). */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const given = bearerToken(req);
  return given !== undefined && sameSecret(given, token);
}
