import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openMemoryDatabase } from "../../src/store/database.js";
import { OrgStore } from "../../src/orgs/org-store.js";
import { createOrgsRoute } from "../../src/orgs/orgs-routes.js";
import { readOrgsSettings } from "../../src/orgs/orgs-settings.js";
import { loadOrCreateSigningKey } from "../../src/orgs/signing-key.js";

/** The organisations API over real HTTP, with hostile and wrong requests. */
const ADMIN = "admin-token-0123456789abcdef";
let server: Server;
let base: string;
let dir: string;
let clock = new Date("2026-12-03T08:00:00Z");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hubgate-orgs-api-"));
  const settings = readOrgsSettings({
    HUBGATE_ADMIN_TOKEN: ADMIN,
    HUBGATE_REGISTRY: "registry.example.com",
    HUBGATE_DATA_DIR: dir,
    HUBGATE_LOGIN_TTL_SECONDS: "60",
  });
  const now = () => clock;
  const route = createOrgsRoute({
    settings,
    store: OrgStore.on(openMemoryDatabase(), { registry: settings.registry, now }),
    signingKey: loadOrCreateSigningKey(dir),
    now,
  });
  server = createServer((req, res) => {
    void route(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("organisations API", () => {
  it("needs the right token for each route", async () => {
    expect((await call("GET", "/api/repos")).status).toBe(401);
    expect((await call("GET", "/api/repos", "hgt_wrong")).status).toBe(401);
    expect((await call("GET", "/api/repos", ADMIN)).status).toBe(403);
    const user = (await call("POST", "/api/users/dave/tokens", ADMIN)).body.token as string;
    expect((await call("POST", "/api/orgs", user, { name: "x" })).status).toBe(403);
    expect((await call("DELETE", "/api/repos", user)).status).toBe(405);
    expect((await call("GET", "/elsewhere", user)).status).toBe(404);
  });

  it("refuses bad names, bodies and unknown organisations with a clear message", async () => {
    expect((await call("POST", "/api/orgs", ADMIN, { name: "Not Valid" })).body.error).toMatch(
      /lower-case path component/,
    );
    expect((await call("POST", "/api/orgs", ADMIN, "{nope")).body.error).toBe("request body is not JSON");
    expect((await call("POST", "/api/orgs", ADMIN, "x".repeat(20_000))).status).toBe(413);
    expect((await call("PUT", "/api/orgs/ghost/members/dave", ADMIN)).status).toBe(404);
    expect((await call("PUT", "/api/orgs/%E0%A4%A/members/dave", ADMIN)).status).toBe(400);
    await call("POST", "/api/orgs", ADMIN, { name: "acme" });
    const dave = (await call("POST", "/api/users/dave/tokens", ADMIN)).body.token as string;
    const created = await call("POST", "/api/repos", dave, { organization: "acme", name: "a/b" });
    expect(created).toMatchObject({
      status: 403,
      body: { error: 'you are not a member of organization "acme"' },
    });
    await call("PUT", "/api/orgs/acme/members/dave", ADMIN);
    expect((await call("POST", "/api/repos", dave, { organization: "acme", name: "../etc" })).status).toBe(
      400,
    );
    expect(await call("POST", "/api/repos", dave, { organization: "acme", name: "a/b" })).toMatchObject({
      status: 201,
      body: { url: "registry.example.com/acme/a/b", created: true },
    });
    expect((await call("POST", "/api/repos", dave, { organization: "acme", name: "a/b" })).status).toBe(200);
    const missing = await call("POST", "/api/repos/login", dave, { organization: "acme", name: "nope" });
    expect(missing.status).toBe(404);
  });

  it("issues tokens scoped to the login's repository until the password expires", async () => {
    await call("POST", "/api/orgs", ADMIN, { name: "zeta" });
    await call("PUT", "/api/orgs/zeta/members/erin", ADMIN);
    const erin = (await call("POST", "/api/users/erin/tokens", ADMIN)).body.token as string;
    await call("POST", "/api/repos", erin, { organization: "zeta", name: "tools" });
    const login = await call("POST", "/api/repos/login", erin, { organization: "zeta", name: "tools" });
    const password = login.body.password as string;
    const token = async (user: string, pass: string, scope: string) => {
      const response = await fetch(
        `${base}/registry/token?service=hubgate-registry&scope=${encodeURIComponent(scope)}`,
        { headers: { authorization: basic(user, pass) } },
      );
      if (response.status !== 200) return response.status;
      const { token: jwt } = (await response.json()) as { token: string };
      return (JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { access: unknown })
        .access;
    };
    expect(await token("erin", password, "repository:zeta/tools:pull,push,delete")).toEqual([
      { type: "repository", name: "zeta/tools", actions: ["pull", "push"] },
    ]);
    expect(await token("erin", password, "repository:zeta/other:pull")).toEqual([]);
    expect(await token("mallory", password, "repository:zeta/tools:pull")).toBe(401);
    clock = new Date(clock.getTime() + 61_000);
    expect(await token("erin", password, "repository:zeta/tools:pull")).toBe(401);
  });
});
