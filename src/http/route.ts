import type { IncomingMessage, ServerResponse } from "node:http";

/** One HTTP route of the server: answers the request and returns true, or returns false to pass it on. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function pathOf(url: string | undefined): string {
  const raw = (url ?? "/").split("?")[0] ?? "/";
  return raw.length > 1 ? raw.replace(/\/+$/, "") : raw;
}

/** Every JSON answer of the server: never cached (API state changes), never sniffed as another type. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(text);
  return true;
}
