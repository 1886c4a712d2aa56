import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isInfrastructureError } from "../../src/core/infrastructure-error.js";
import { createPublisher } from "../../src/publish/publisher.js";
import { readPublishSettings } from "../../src/publish/publish-settings.js";
import { parseChallenge, RegistryClient } from "../../src/publish/registry-client.js";
import { freePort, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { startTokenServer, type TokenServer } from "../helpers/registry-token-server.js";
import { buildTestImage, ensureBaseImage, removeTestImages, uniqueName } from "./test-images.js";

const WRONG = "wrong-password-0815";

async function infrastructureMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isInfrastructureError(error)).toBe(true);
  return (error as Error).message;
}

beforeAll(() => ensureBaseImage());
afterAll(() => removeTestImages());

describe("RegistryClient with Basic auth (htpasswd)", () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  const client = (password = registry.password) =>
    new RegistryClient({ url: registry.url, credentials: { username: registry.username, password } });

  it("answers undefined for a tag or repository that does not exist", async () => {
    expect(await client().manifestDigest("jinahub/pod.encoder.nothing", "0.0.1")).toBeUndefined();
    expect(await client().manifest("jinahub/pod.encoder.nothing", "0.0.1")).toBeUndefined();
    expect(await client().tags("jinahub/pod.encoder.nothing")).toEqual([]);
  });

  it("rejected credentials: a clear message without the password", async () => {
    const message = await infrastructureMessage(
      client(WRONG).manifestDigest("jinahub/pod.encoder.x", "0.0.1"),
    );
    expect(message).toBe(
      `registry at ${registry.host} rejected the credentials of user "${registry.username}"; ` +
        "check HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD",
    );
    expect(message).not.toContain(WRONG);
  });

  it("no credentials at all: says which variables to set", async () => {
    const anonymous = new RegistryClient({ url: registry.url });
    expect(await infrastructureMessage(anonymous.tags("jinahub/pod.encoder.x"))).toContain(
      "requires credentials; set HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD",
    );
  });
});

describe("RegistryClient when nothing listens", () => {
  it("connection refused → 'registry at HOST is unreachable'", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const client = new RegistryClient({
      url: `http://${host}`,
      credentials: { username: "u", password: "p4ss" },
    });
    expect(await infrastructureMessage(client.manifestDigest("a/b", "1"))).toBe(
      `registry at ${host} is unreachable (ECONNREFUSED)`,
    );
  });
});

describe("Bearer token auth (a real registry with a token service)", () => {
  let tokens: TokenServer;
  let registry: RegistryServer;
  let dataDir: string;
  const username = "robot";
  const password = "token-service-pass-42";

  beforeAll(async () => {
    tokens = await startTokenServer({ username, password });
    registry = await startRegistry({ username, password, token: tokens });
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-data-"));
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("publishes through the token flow and reads the digest back with a token", async () => {
    const name = uniqueName("tok");
    const localImage = `hubgate-test/pod.encoder.${name}:0.1.0`;
    buildTestImage(localImage, "token flow");
    const settings = readPublishSettings({
      HUBGATE_REGISTRY: registry.host,
      HUBGATE_REGISTRY_USERNAME: username,
      HUBGATE_REGISTRY_PASSWORD: password,
      HUBGATE_DATA_DIR: dataDir,
    });
    const publisher = await createPublisher(settings);
    const outcome = await publisher.publish({
      localImage,
      repository: `jinahub/pod.encoder.${name}`,
      version: "0.1.0",
      bundle: { name, kind: "encoder" },
    });
    await publisher.close();
    expect(outcome).toMatchObject({ status: "published", latest: "moved" });

    const before = tokens.issued;
    const client = new RegistryClient({ url: registry.url, credentials: { username, password } });
    expect(await client.manifestDigest(`jinahub/pod.encoder.${name}`, "0.1.0")).toBe(outcome.digest);
    expect(await client.manifestDigest(`jinahub/pod.encoder.${name}`, "latest")).toBe(outcome.digest);
    // One token for the pull scope, reused for the second request.
    expect(tokens.issued - before).toBe(1);
  });

  it("checkAccess: GET /v2/ with a registry-wide token, as docker login does", async () => {
    await new RegistryClient({ url: registry.url, credentials: { username, password } }).checkAccess();
    const wrong = new RegistryClient({ url: registry.url, credentials: { username, password: WRONG } });
    expect(await infrastructureMessage(wrong.checkAccess())).toContain("rejected the credentials");
  });

  it("the token service refusing the password → rejected credentials, no password in the message", async () => {
    const client = new RegistryClient({ url: registry.url, credentials: { username, password: WRONG } });
    const message = await infrastructureMessage(client.manifestDigest("jinahub/pod.encoder.x", "0.0.1"));
    expect(message).toContain(`registry at ${registry.host} rejected the credentials`);
    expect(message).not.toContain(WRONG);
  });
});

describe("parseChallenge", () => {
  it("reads Bearer and Basic challenges", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.example.com/token",
        service: "registry.example.com",
        scope: "repository:a/b:pull",
      },
    });
    expect(parseChallenge('Basic realm="basic-realm"')).toEqual({
      scheme: "basic",
      params: { realm: "basic-realm" },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});
