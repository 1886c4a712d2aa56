import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { freePort, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { createPublisher, type PublishRequest, type Publisher } from "../../src/publish/publisher.js";
import { readPublishSettings, type PublishSettings } from "../../src/publish/publish-settings.js";
import { PublishStore } from "../../src/publish/publish-store.js";
import { RegistryClient } from "../../src/publish/registry-client.js";
import {
  buildTestImage,
  ensureBaseImage,
  imageId,
  pushEvents,
  removeTestImages,
  uniqueName,
} from "./test-images.js";

const docker = new Docker();
let registry: RegistryServer;
let dataDir: string;
let client: RegistryClient;

beforeAll(async () => {
  ensureBaseImage();
  registry = await startRegistry();
  client = new RegistryClient({
    url: registry.url,
    credentials: { username: registry.username, password: registry.password },
  });
});

afterAll(async () => {
  await registry?.stop();
  removeTestImages();
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "hubgate-data-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function settings(overrides: Record<string, string> = {}): PublishSettings {
  return readPublishSettings({
    HUBGATE_REGISTRY: registry.host,
    HUBGATE_REGISTRY_USERNAME: registry.username,
    HUBGATE_REGISTRY_PASSWORD: registry.password,
    HUBGATE_DATA_DIR: dataDir,
    ...overrides,
  });
}

/** A fresh bundle repository per test, so tests never see each other's tags. */
function bundle(version: string, name = uniqueName("enc")): PublishRequest {
  return {
    localImage: `hubgate-test/pod.encoder.${name}:${version}`,
    repository: `jinahub/pod.encoder.${name}`,
    version,
    bundle: { name, kind: "encoder" },
    sourceRepository: "https://example.com/hub",
    commit: "0123456789abcdef0123456789abcdef01234567",
  };
}

async function withPublisher<T>(
  s: PublishSettings,
  fn: (p: Publisher) => Promise<T>,
  dryRun = false,
): Promise<T> {
  const publisher = await createPublisher(s, { dryRun });
  try {
    return await fn(publisher);
  } finally {
    await publisher.close();
  }
}

describe("publishing to a real registry", () => {
  it("publishes a version and latest; the registry serves the recorded digest", async () => {
    const request = bundle("0.0.1");
    const id = buildTestImage(request.localImage, "first");
    const since = new Date();
    const outcome = await withPublisher(settings(), (p) => p.publish(request));

    const target = `${registry.host}/${request.repository}`;
    // One engine push (the version); latest is a manifest copy in the registry, not a push.
    expect(await pushEvents(docker, since, new Date())).toEqual([`${target}:0.0.1`]);
    expect(outcome).toMatchObject({
      status: "published",
      references: [`${target}:0.0.1`, `${target}:latest`],
      imageId: id,
      latest: "moved",
      infrastructure: false,
    });
    expect(outcome.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await client.manifestDigest(request.repository, "0.0.1")).toBe(outcome.digest);
    expect(await client.manifestDigest(request.repository, "latest")).toBe(outcome.digest);
    expect((await client.manifest(request.repository, "0.0.1"))?.configDigest).toBe(id);

    const store = await PublishStore.open(dataDir);
    expect(store.find(target, "0.0.1")).toEqual({
      name: request.bundle.name,
      kind: "encoder",
      version: "0.0.1",
      repository: target,
      digest: outcome.digest,
      imageId: id,
      sourceRepository: "https://example.com/hub",
      commit: request.commit,
      publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await store.close();
    // The registry-prefixed tag was only a vehicle for the push.
    await expect(docker.getImage(`${target}:0.0.1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("re-publishing the same image is 'unchanged' and pushes nothing", async () => {
    const request = bundle("1.0.0");
    buildTestImage(request.localImage, "same");
    const first = await withPublisher(settings(), (p) => p.publish(request));
    const since = new Date();
    const again = await withPublisher(settings(), (p) => p.publish(request));

    expect(again).toMatchObject({
      status: "unchanged",
      digest: first.digest,
      latest: "current",
      infrastructure: false,
    });
    expect(again.message).toContain("nothing pushed");
    expect(await pushEvents(docker, since, new Date())).toEqual([]);
  });

  it("a rebuild of unchanged content (new build date, new image ID) is 'unchanged' too", async () => {
    const request = bundle("1.0.0");
    const firstId = buildTestImage(request.localImage, "stable", "2024-01-01T00:00:00Z");
    const first = await withPublisher(settings(), (p) => p.publish(request));
    const secondId = buildTestImage(request.localImage, "stable", "2025-06-01T00:00:00Z");
    expect(secondId).not.toBe(firstId);

    const since = new Date();
    const again = await withPublisher(settings(), (p) => p.publish(request));
    expect(again).toMatchObject({ status: "unchanged", digest: first.digest, imageId: firstId });
    expect(await pushEvents(docker, since, new Date())).toEqual([]);
  });

  it("refuses the same version with other content and leaves the registry alone", async () => {
    const request = bundle("0.3.0");
    buildTestImage(request.localImage, "original");
    const first = await withPublisher(settings(), (p) => p.publish(request));
    const changedId = buildTestImage(request.localImage, "changed behind the same version");

    const since = new Date();
    const refused = await withPublisher(settings(), (p) => p.publish(request));
    expect(refused).toMatchObject({
      status: "refused",
      references: [],
      infrastructure: false,
      digest: first.digest,
    });
    expect(refused.message).toContain("version 0.3.0");
    expect(refused.message).toContain(first.digest!);
    expect(refused.message).toContain(changedId);
    expect(refused.message).toContain("raise the version");
    expect(await pushEvents(docker, since, new Date())).toEqual([]);
    expect(await client.manifestDigest(request.repository, "0.3.0")).toBe(first.digest);
    expect(await client.manifestDigest(request.repository, "latest")).toBe(first.digest);
  });

  it("moves latest only forward in semver order", async () => {
    const name = uniqueName("enc");
    const v020 = bundle("0.2.0", name);
    const v010 = bundle("0.1.0", name);
    const rc = bundle("1.0.0-rc.1", name);
    const v030 = bundle("0.3.0", name);
    buildTestImage(v020.localImage, "two");
    buildTestImage(v010.localImage, "one");
    buildTestImage(rc.localImage, "release candidate");
    buildTestImage(v030.localImage, "three");

    const [newer, older, candidate] = await withPublisher(settings(), async (p) => [
      await p.publish(v020),
      await p.publish(v010),
      await p.publish(rc),
    ]);
    expect(newer!.latest).toBe("moved");
    expect(older).toMatchObject({ status: "published", latest: "kept" });
    expect(older!.references).toEqual([`${registry.host}/${v010.repository}:0.1.0`]);
    expect(candidate).toMatchObject({ status: "published", latest: "kept" });
    expect(await client.manifestDigest(v020.repository, "latest")).toBe(newer!.digest);

    // A fresh data dir: the registry's tag list alone still knows 0.2.0 is the newest.
    rmSync(dataDir, { recursive: true, force: true });
    const third = await withPublisher(settings(), (p) => p.publish(v030));
    expect(third.latest).toBe("moved");
    expect(await client.manifestDigest(v030.repository, "latest")).toBe(third.digest);
    expect((await client.tags(v030.repository)).sort()).toEqual([
      "0.1.0",
      "0.2.0",
      "0.3.0",
      "1.0.0-rc.1",
      "latest",
    ]);
  });

  it("a dry run looks but pushes and records nothing", async () => {
    const request = bundle("0.0.1");
    const id = buildTestImage(request.localImage, "dry");
    const since = new Date();
    const outcome = await withPublisher(settings(), (p) => p.publish(request), true);
    const target = `${registry.host}/${request.repository}`;
    expect(outcome).toMatchObject({
      status: "would-publish",
      references: [`${target}:0.0.1`, `${target}:latest`],
      imageId: id,
      infrastructure: false,
    });
    expect(await client.manifestDigest(request.repository, "0.0.1")).toBeUndefined();
    expect(await pushEvents(docker, since, new Date())).toEqual([]);
    expect(existsSync(join(dataDir, "hubgate.db"))).toBe(false);
  });

  it("says 'not configured' without a registry", async () => {
    const s = readPublishSettings({ HUBGATE_DATA_DIR: dataDir });
    const outcome = await withPublisher(s, (p) => p.publish(bundle("0.0.1")));
    expect(outcome).toMatchObject({ status: "not-configured", references: [], infrastructure: false });
    expect(outcome.message).toContain("HUBGATE_REGISTRY");
  });

  it("wrong credentials: an infrastructure failure that names the problem, never the password", async () => {
    const request = bundle("0.0.1");
    buildTestImage(request.localImage, "creds");
    const wrong = "not-the-password-4711";
    const outcome = await withPublisher(settings({ HUBGATE_REGISTRY_PASSWORD: wrong }), (p) =>
      p.publish(request),
    );
    expect(outcome).toMatchObject({ status: "failed", infrastructure: true });
    expect(outcome.message).toContain(`registry at ${registry.host} rejected the credentials`);
    expect(outcome.message).not.toContain(wrong);
    expect(outcome.message).not.toContain(registry.password);
    expect(await client.manifestDigest(request.repository, "0.0.1")).toBeUndefined();
  });

  it("registry down: an infrastructure failure saying it is unreachable", async () => {
    const request = bundle("0.0.1");
    buildTestImage(request.localImage, "down");
    const host = `127.0.0.1:${await freePort()}`;
    const outcome = await withPublisher(settings({ HUBGATE_REGISTRY: host }), (p) => p.publish(request));
    expect(outcome).toMatchObject({ status: "failed", infrastructure: true, references: [] });
    expect(outcome.message).toContain(`registry at ${host} is unreachable`);
  });

  it("a missing local image fails without touching the registry", async () => {
    const request = bundle("0.0.1");
    const outcome = await withPublisher(settings(), (p) => p.publish(request));
    expect(outcome).toMatchObject({ status: "failed", infrastructure: true });
    expect(outcome.message).toContain(`${request.localImage} does not exist`);
  });

  it("a version held by a multi-platform index it cannot compare is refused", async () => {
    const request = bundle("4.0.0");
    buildTestImage(request.localImage, "indexed");
    const pushed = await withPublisher(settings(), (p) => p.publish(request));
    const manifest = (await client.manifest(request.repository, "4.0.0"))!;
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: manifest.mediaType,
          digest: manifest.digest,
          size: manifest.body.length,
          platform: { architecture: "amd64", os: "linux" },
        },
      ],
    };
    const indexDigest = await client.putManifest(request.repository, "5.0.0", {
      mediaType: index.mediaType,
      body: Buffer.from(JSON.stringify(index)),
    });
    expect((await client.manifest(request.repository, "5.0.0"))?.configDigest).toBeUndefined();

    const outcome = await withPublisher(settings(), (p) => p.publish({ ...request, version: "5.0.0" }));
    expect(outcome).toMatchObject({ status: "refused", digest: indexDigest });
    expect(await client.manifestDigest(request.repository, "5.0.0")).toBe(indexDigest);
    expect(await client.manifestDigest(request.repository, "latest")).toBe(pushed.digest);
  });

  it("publishes by image ID and pushes again when the registry lost a recorded version", async () => {
    const request = bundle("2.0.0");
    const id = buildTestImage(request.localImage, "by id");
    const first = await withPublisher(settings(), (p) => p.publish({ ...request, localImage: id }));
    expect(first.status).toBe("published");
    // Delete the version from the registry behind hubgate's back (storage.delete is enabled).
    const response = await fetch(`${registry.url}/v2/${request.repository}/manifests/${first.digest}`, {
      method: "DELETE",
      headers: {
        authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`,
      },
    });
    expect(response.status).toBe(202);
    expect(await client.manifestDigest(request.repository, "2.0.0")).toBeUndefined();

    const again = await withPublisher(settings(), (p) => p.publish({ ...request, localImage: id }));
    expect(again).toMatchObject({ status: "published", imageId: imageId(request.localImage) });
    expect(await client.manifestDigest(request.repository, "2.0.0")).toBe(again.digest);
  });
});
