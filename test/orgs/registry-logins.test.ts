import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryClient } from "../../src/publish/registry-client.js";
import { ADMIN_TOKEN, startHubgateAuth, type HubgateAuth } from "../helpers/hubgate-auth.js";
import { buildTestImage, ensureBaseImage, removeTestImages, uniqueName } from "../publish/test-images.js";

/**
 * The container-repositories workflow end to end: the real Debian registry with `auth: token`
 * pointing at hubgate's token server (spawned CLI), the real Docker engine and docker CLI.
 * Every refusal here comes from the registry itself, through the token hubgate signed.
 */
let auth: HubgateAuth;
let registry: HubgateAuth["registry"];
let dockerConfig: string;
const pushed: string[] = [];

beforeAll(async () => {
  ensureBaseImage();
  dockerConfig = mkdtempSync(join(tmpdir(), "hubgate-docker-config-"));
  auth = await startHubgateAuth({ HUBGATE_LOGIN_TTL_SECONDS: "3600" });
  registry = auth.registry;
}, 60_000);

afterAll(async () => {
  await auth?.stop();
  for (const ref of pushed) spawnSync("docker", ["rmi", "-f", ref], { stdio: "ignore" });
  removeTestImages();
  rmSync(dockerConfig, { recursive: true, force: true });
});

const admin = (...args: string[]) => auth.admin(...args);
const as = (token: string, ...args: string[]) => auth.as(token, ...args);
const userToken = (user: string) => auth.userToken(user);

function docker(args: string[], input?: string) {
  const result = spawnSync("docker", args, {
    input,
    encoding: "utf8",
    env: { ...process.env, DOCKER_CONFIG: dockerConfig },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Tag a fresh local image as `reference` and push it with the docker CLI. */
function dockerPush(reference: string) {
  const local = `hubgate-test/${uniqueName("repo")}:1`;
  buildTestImage(local, reference);
  execFileSync("docker", ["tag", local, reference]);
  pushed.push(reference);
  return docker(["push", reference]);
}

describe("organisation repositories with scoped registry logins", () => {
  it("a member creates a repository, logs in with the printed password and pushes with docker", async () => {
    const org = uniqueName("org");
    expect(admin("orgs", "create", org).code).toBe(0);
    expect(admin("orgs", "add-member", org, "alice").code).toBe(0);
    const alice = userToken("alice");

    const created = as(alice, "repos", "create", "catalog/extract-video", "--organization", org);
    expect(created).toMatchObject({ code: 0, stdout: `${registry.host}/${org}/catalog/extract-video\n` });
    const list = as(alice, "repos", "list");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^Organization +URL$/);
    expect(list.stdout.split("\n")).toContainEqual(
      expect.stringMatching(new RegExp(`^${org} +${registry.host}/${org}/catalog/extract-video$`)),
    );

    const login = as(alice, "repos", "login", "catalog/extract-video", "--organization", org);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(`docker login --username alice --password-stdin ${registry.host}`);
    const password = login.stdout.trim();
    expect(
      docker(["login", registry.host, "--username", "alice", "--password-stdin"], password),
    ).toMatchObject({ code: 0 });
    const reference = `${registry.host}/${org}/catalog/extract-video:1.0`;
    const push = dockerPush(reference);
    expect(push.code).toBe(0);

    // hubgate's own publisher (admin token as password) sees what alice pushed.
    const client = new RegistryClient({
      url: registry.url,
      credentials: { username: "hubgate", password: ADMIN_TOKEN },
    });
    expect(await client.tags(`${org}/catalog/extract-video`)).toEqual(["1.0"]);
    docker(["logout", registry.host]);
  });

  it("a non-member gets no login, and the registry refuses their push", async () => {
    const org = uniqueName("org");
    const other = uniqueName("org");
    admin("orgs", "create", org);
    admin("orgs", "create", other);
    admin("orgs", "add-member", org, "alice");
    admin("orgs", "add-member", other, "mallory");
    const alice = userToken("alice");
    const mallory = userToken("mallory");
    expect(as(alice, "repos", "create", "tools", "--organization", org).code).toBe(0);
    expect(as(mallory, "repos", "create", "tools", "--organization", other).code).toBe(0);

    const refused = as(mallory, "repos", "login", "tools", "--organization", org);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`not a member of organization "${org}"`);
    expect(as(mallory, "repos", "create", "sneaky", "--organization", org).code).toBe(1);
    expect(as(mallory, "repos", "list").stdout).not.toContain(`${org}/`);

    // A made-up password: the registry's login (through the token server) fails.
    const guessed = docker(["login", registry.host, "--username", "mallory", "--password-stdin"], "guess");
    expect(guessed.code).not.toBe(0);
    expect(guessed.output).toMatch(/unauthorized|401/i);

    // Mallory's real password for her own organisation does not reach alice's repository.
    const own = as(mallory, "repos", "login", "tools", "--organization", other).stdout.trim();
    expect(docker(["login", registry.host, "--username", "mallory", "--password-stdin"], own).code).toBe(0);
    const push = dockerPush(`${registry.host}/${org}/tools:evil`);
    expect(push.code).not.toBe(0);
    expect(push.output).toMatch(/denied|unauthorized|authentication required/i);
    expect(dockerPush(`${registry.host}/${other}/tools:ok`).code).toBe(0);

    // Removing alice from the organisation ends her access at once, password or not.
    const password = as(alice, "repos", "login", "tools", "--organization", org).stdout.trim();
    admin("orgs", "remove-member", org, "alice");
    expect(
      docker(["login", registry.host, "--username", "alice", "--password-stdin"], password).code,
    ).not.toBe(0);
    docker(["logout", registry.host]);
  });

  it("a short-lived password expires", async () => {
    const org = uniqueName("org");
    admin("orgs", "create", org);
    admin("orgs", "add-member", org, "bob");
    const bob = userToken("bob");
    as(bob, "repos", "create", "short", "--organization", org);
    const login = as(bob, "repos", "login", "short", "--organization", org, "--expires-in", "1");
    expect(login.code).toBe(0);
    // Waiting past the expiry, not timing anything: the outcome is the same however long this takes.
    await sleep(1500);
    const late = docker(
      ["login", registry.host, "--username", "bob", "--password-stdin"],
      login.stdout.trim(),
    );
    expect(late.code).not.toBe(0);
    expect(late.output).toMatch(/unauthorized|401/i);
  });
});
