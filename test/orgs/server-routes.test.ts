import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { startHubgateServer, type RunningServer } from "../helpers/hubgate-server.js";

/** The organisations API and token realm on the hubgate server itself, beside the webhooks. */
const ADMIN = "admin-token-on-the-server-0123";
let github: FakeGitHub;
let server: RunningServer;

beforeAll(async () => {
  github = await startFakeGitHub();
  server = await startHubgateServer(github, {
    images: null,
    env: { HUBGATE_ADMIN_TOKEN: ADMIN, HUBGATE_REGISTRY: "registry.example.com" },
  });
});
afterAll(async () => {
  await server.close();
  await github.close();
});

it("serves /api/orgs, /api/repos and /registry/token when an admin token is set", async () => {
  const admin = { authorization: `Bearer ${ADMIN}` };
  expect(
    (await fetch(`${server.url}/api/orgs`, { method: "POST", headers: admin, body: '{"name":"acme"}' }))
      .status,
  ).toBe(201);
  await fetch(`${server.url}/api/orgs/acme/members/ann`, { method: "PUT", headers: admin });
  const { token } = (await (
    await fetch(`${server.url}/api/users/ann/tokens`, { method: "POST", headers: admin })
  ).json()) as { token: string };
  const user = { authorization: `Bearer ${token}` };
  const created = await fetch(`${server.url}/api/repos`, {
    method: "POST",
    headers: user,
    body: JSON.stringify({ organization: "acme", name: "tools" }),
  });
  expect(await created.json()).toMatchObject({ url: "registry.example.com/acme/tools" });
  const realm = await fetch(
    `${server.url}/registry/token?service=hubgate-registry&scope=repository:acme/tools:pull`,
  );
  expect(realm.status).toBe(401);
  expect(realm.headers.get("www-authenticate")).toMatch(/^Basic /);
});
