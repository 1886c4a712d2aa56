// `hubgate repos|orgs|users ...`: thin clients of the server's organisations API. The server
// is HUBGATE_URL; the user's API token (HUBGATE_TOKEN) or the admin token
// (HUBGATE_ADMIN_TOKEN) comes from the environment only, never from argv.
import type { OrgsArgs } from "./args.js";

interface Call {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  admin: boolean;
}

export async function runOrgsCommand(args: OrgsArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const server = env.HUBGATE_URL?.trim().replace(/\/+$/, "");
  if (!server) return fail("set HUBGATE_URL to the hubgate server (e.g. http://127.0.0.1:3000)");
  const call = toCall(args);
  const token = call.admin ? env.HUBGATE_ADMIN_TOKEN?.trim() : env.HUBGATE_TOKEN?.trim();
  if (!token)
    return fail(
      call.admin
        ? "set HUBGATE_ADMIN_TOKEN"
        : "set HUBGATE_TOKEN to your API token (hubgate users token USER gives one)",
    );
  let response: Response;
  try {
    response = await fetch(`${server}${call.path}`, {
      method: call.method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: call.body ? JSON.stringify(call.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return fail(`the hubgate server at ${server} is unreachable (${cause})`, 2);
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail(`the hubgate server answered HTTP ${response.status} without JSON`, 2);
  }
  if (!response.ok) {
    const message = typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
    // Refusals (not a member, bad name) are the caller's: 1. Our side (5xx, auth setup): 2.
    return fail(message, response.status >= 500 ? 2 : 1);
  }
  process.stdout.write(args.format === "json" ? `${JSON.stringify(body, null, 2)}\n` : render(args, body));
  return 0;
}

function toCall(args: OrgsArgs): Call {
  const [first = "", second = ""] = args.operands;
  const org = args.organization ?? "";
  const enc = encodeURIComponent;
  switch (`${args.command} ${args.action}`) {
    case "repos list":
      return { method: "GET", path: "/api/repos", admin: false };
    case "repos create":
      return { method: "POST", path: "/api/repos", body: { name: first, organization: org }, admin: false };
    case "repos login":
      return {
        method: "POST",
        path: "/api/repos/login",
        body: { name: first, organization: org, ...(args.expiresIn ? { expiresIn: args.expiresIn } : {}) },
        admin: false,
      };
    case "orgs list":
      return { method: "GET", path: "/api/orgs", admin: true };
    case "orgs create":
      return { method: "POST", path: "/api/orgs", body: { name: first }, admin: true };
    case "orgs add-member":
      return { method: "PUT", path: `/api/orgs/${enc(first)}/members/${enc(second)}`, admin: true };
    case "orgs remove-member":
      return { method: "DELETE", path: `/api/orgs/${enc(first)}/members/${enc(second)}`, admin: true };
    default:
      return { method: "POST", path: `/api/users/${enc(first)}/tokens`, admin: true };
  }
}

function render(args: OrgsArgs, body: Record<string, unknown>): string {
  switch (`${args.command} ${args.action}`) {
    case "repos list": {
      const repos = (body.repositories ?? []) as Array<{ organization: string; url: string }>;
      const width = Math.max("Organization".length, ...repos.map((r) => r.organization.length));
      return [
        `${"Organization".padEnd(width)} URL`,
        ...repos.map((r) => `${r.organization.padEnd(width)} ${r.url}`),
      ]
        .join("\n")
        .concat("\n");
    }
    case "repos create":
      return `${String(body.url)}\n`;
    case "repos login": {
      // Only the password on stdout, so it pipes straight into docker login --password-stdin.
      const registry = typeof body.registry === "string" ? body.registry : "REGISTRY";
      process.stderr.write(
        `password for ${String(body.url)}, valid until ${String(body.expiresAt)}; use it with:\n` +
          `  docker login --username ${String(body.username)} --password-stdin ${registry}\n`,
      );
      return `${String(body.password)}\n`;
    }
    case "orgs list": {
      const orgs = (body.organizations ?? []) as Array<{ name: string; members: string[] }>;
      return orgs
        .map((o) => `${o.name} ${o.members.join(",")}`)
        .join("\n")
        .concat(orgs.length ? "\n" : "");
    }
    case "users token":
      return `${String(body.token)}\n`;
    default:
      return `${JSON.stringify(body)}\n`;
  }
}

function fail(message: string, code = 1): number {
  process.stderr.write(`hubgate: ${message}\n`);
  return code;
}
