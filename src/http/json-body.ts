import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./route.js";

/** A refusal a route throws: answered as `{ error: message, ...extra }` with the given status and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const headers = { ...error.headers };
  if (Array.isArray(error.extra.allow)) headers.allow = error.extra.allow.join(", ");
  sendJson(res, error.status, { error: error.message, ...error.extra }, headers);
}

/** The request body as text, refused (413) as soon as it passes maxBytes: hostile clients get bounded memory. */
export async function readBodyText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `the request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
