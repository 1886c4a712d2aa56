import type { IncomingMessage, ServerResponse } from "node:http";

/** One HTTP route of the server: answers the request and returns true, or returns false to pass it on. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function pathOf(url: string | undefined): string {
  const raw = (url ?? "/").split("?")[0] ?? "/";
  return raw.length > 1 ? raw.replace(/\/+$/, "") : raw;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
  return true;
}
