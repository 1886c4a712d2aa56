import { KEY, IMAGE, startCatalogue, TOKEN, type CatalogueHarness } from "./catalogue-harness.js";

const SEED_FIELDS = [
  "pk",
  "name",
  "version",
  "url",
  "registry_url",
  "registry_username",
  "registry_password",
  "cuda_version",
  "framework",
  "domain",
  "tasks",
  "min_hardware_generation",
  "cpu",
  "licence",
];

describe("the seed's /v1/docker API over HTTP", () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await startCatalogue()));
  afterEach(async () => h.close());

  it("creates, retrieves, lists, updates and partially updates an image with the seed's fields", async () => {
    const framework = await h.request("POST", "/v1/framework/create", { name: "pytorch", version: "2.1" });
    expect(framework.status).toBe(201);
    expect(framework.json).toEqual({ pk: 1, name: "pytorch", version: "2.1", url: null });

    const created = await h.request("POST", "/v1/docker/create", { ...IMAGE, framework: framework.json.pk });
    expect(created.status).toBe(201);
    const image = created.json;
    expect(Object.keys(image).slice(0, SEED_FIELDS.length)).toEqual(SEED_FIELDS);
    expect(image).toMatchObject({
      name: "AwesomeEncoder",
      version: "1.0.0",
      registry_username: "puller",
      registry_password: null,
      registry_password_set: true,
      cuda_version: { pk: 1, version: "11.8" },
      framework: { pk: 1, name: "pytorch", version: "2.1", url: null },
      min_hardware_generation: { pk: 1, name: "ampere" },
      tasks: ["Train", "Predict"],
      cpu: false,
      licence: "apache-2.0",
    });

    const got = await h.request("GET", `/v1/docker/${image.pk}`, undefined, null);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(image);

    const listed = await h.request("POST", "/v1/docker/list", undefined, null);
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual([image]);
    const filtered = await h.request("POST", "/v1/docker/list", { domain: "vision" }, null);
    expect(filtered.json).toEqual([]);

    const { registry_password: _omit, ...withoutPassword } = IMAGE;
    void _omit;
    const put = await h.request("PUT", `/v1/docker/${image.pk}`, {
      ...withoutPassword,
      version: "1.0.1",
      cuda_version: null,
      framework: null,
      min_hardware_generation: null,
      cpu: true,
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      version: "1.0.1",
      cuda_version: null,
      framework: null,
      cpu: true,
      registry_password_set: true,
    });

    const patch = await h.request("PATCH", `/v1/docker/${image.pk}`, {
      registry_password: null,
      tasks: ["Predict"],
    });
    expect(patch.status).toBe(200);
    expect(patch.json).toMatchObject({
      version: "1.0.1",
      tasks: ["Predict"],
      registry_password: null,
      registry_password_set: false,
    });

    // A client may send back what it read (read-only additions included).
    const roundTrip = await h.request("PUT", `/v1/docker/${image.pk}`, patch.json);
    expect(roundTrip.status).toBe(200);
  });

  it("stores the registry password encrypted and never returns it", async () => {
    const created = await h.request("POST", "/v1/docker/create", IMAGE);
    const row = h.db
      .prepare("SELECT registry_password_sealed AS s FROM catalogue_images WHERE pk = ?")
      .get(created.json.pk) as {
      s: string;
    };
    expect(row.s).toMatch(/^v1:/);
    expect(row.s).not.toContain(IMAGE.registry_password);
    expect(h.catalogue.registryPassword(created.json.pk)).toBe(IMAGE.registry_password);
    for (const answer of [
      created,
      await h.request("GET", `/v1/docker/${created.json.pk}`),
      await h.request("POST", "/v1/docker/list"),
    ])
      expect(answer.text).not.toContain(IMAGE.registry_password);
  });

  it("answers 400 naming every invalid field, 404 for unknown pks, 409 for duplicates", async () => {
    const bad = await h.request("POST", "/v1/docker/create", {
      ...IMAGE,
      name: "",
      cpu: "yes",
      registry_url: "ftp://registry.example.com",
      tasks: "Train",
      cuda_version: 11.8,
      framework: "pytorch",
      colour: "blue",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({
      name: "must not be empty",
      cpu: "must be true or false",
      registry_url: "must be an http:// or https:// URL",
      tasks: expect.stringContaining("array of non-empty strings"),
      cuda_version: expect.stringContaining("CUDA version string"),
      framework: expect.stringContaining("primary key"),
      colour: "unknown field",
    });
    const missing = await h.request("POST", "/v1/docker/create", { name: "X" });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.json.fields).sort()).toEqual([
      "cpu",
      "domain",
      "licence",
      "registry_url",
      "tasks",
      "url",
      "version",
    ]);
    const noFramework = await h.request("POST", "/v1/docker/create", { ...IMAGE, framework: 42 });
    expect(noFramework.status).toBe(400);
    expect(noFramework.json.fields.framework).toContain("framework 42 does not exist");
    const credentialsInUrl = await h.request("POST", "/v1/docker/create", {
      ...IMAGE,
      registry_url: "https://u:p@registry.example.com",
    });
    expect(credentialsInUrl.json.fields.registry_url).toContain("must not carry a user or password");
    expect((await h.request("POST", "/v1/docker/create", "{not json")).status).toBe(400);
    expect(
      (await h.request("POST", "/v1/docker/create", { ...IMAGE, description: "x".repeat(70_000) })).status,
    ).toBe(413);

    expect((await h.request("GET", "/v1/docker/999")).status).toBe(404);
    expect((await h.request("GET", "/v1/docker/abc")).status).toBe(404);
    expect((await h.request("PATCH", "/v1/docker/999", { cpu: true })).status).toBe(404);
    expect((await h.request("DELETE", "/v1/docker/999")).status).toBe(404);
    expect((await h.request("POST", "/v1/docker/list", { colour: "blue" })).status).toBe(400);

    expect((await h.request("POST", "/v1/docker/create", IMAGE)).status).toBe(201);
    const duplicate = await h.request("POST", "/v1/docker/create", IMAGE);
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error).toContain("AwesomeEncoder version 1.0.0 already exists as image 1");
  });

  it("needs the bearer token for every write, and refuses writes when none is configured", async () => {
    expect((await h.request("POST", "/v1/docker/create", IMAGE, null)).status).toBe(401);
    const wrong = await h.request("POST", "/v1/docker/create", IMAGE, "not-the-token");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const pk = (await h.request("POST", "/v1/docker/create", IMAGE)).json.pk;
    for (const [method, path, body] of [
      ["PUT", `/v1/docker/${pk}`, IMAGE],
      ["PATCH", `/v1/docker/${pk}`, { cpu: true }],
      ["DELETE", `/v1/docker/${pk}`, undefined],
      ["POST", "/v1/framework/create", { name: "onnx" }],
      ["POST", `/v1/docker/${pk}/deprecate`, { reason: "x" }],
    ] as const)
      expect((await h.request(method, path, body, null)).status).toBe(401);
    expect((await h.request("GET", `/v1/docker/${pk}`, undefined, null)).json.cpu).toBe(false);

    const closed = await startCatalogue({ HUBGATE_CATALOGUE_KEY: KEY });
    try {
      const refused = await closed.request("POST", "/v1/docker/create", IMAGE, TOKEN);
      expect(refused.status).toBe(503);
      expect(refused.json.error).toContain("HUBGATE_CATALOGUE_TOKEN");
      expect((await closed.request("POST", "/v1/docker/list", undefined, null)).status).toBe(200);
    } finally {
      await closed.close();
    }
    const readsProtected = await startCatalogue({
      HUBGATE_CATALOGUE_TOKEN: TOKEN,
      HUBGATE_CATALOGUE_READS: "token",
    });
    try {
      expect((await readsProtected.request("POST", "/v1/docker/list", undefined, null)).status).toBe(401);
      expect((await readsProtected.request("GET", "/api/v1/images", undefined, null)).status).toBe(401);
      expect((await readsProtected.request("POST", "/v1/docker/list", undefined, TOKEN)).status).toBe(200);
    } finally {
      await readsProtected.close();
    }
  });

  it("refuses a registry password when the server has no key to encrypt it with", async () => {
    const keyless = await startCatalogue({ HUBGATE_CATALOGUE_TOKEN: TOKEN });
    try {
      const refused = await keyless.request("POST", "/v1/docker/create", IMAGE);
      expect(refused.status).toBe(400);
      expect(refused.json.fields.registry_password).toContain("HUBGATE_CATALOGUE_KEY");
      expect((await keyless.request("POST", "/v1/docker/list")).json).toEqual([]);
      const { registry_password: _p, ...rest } = IMAGE;
      void _p;
      expect((await keyless.request("POST", "/v1/docker/create", rest)).status).toBe(201);
    } finally {
      await keyless.close();
    }
  });

  it("refuses to delete an image a tag points at (409 naming the tags), then deletes it once free", async () => {
    const pk = (await h.request("POST", "/v1/docker/create", IMAGE)).json.pk;
    h.catalogue.setTag(pk, "latest");
    h.catalogue.setTag(pk, "stable");
    const refused = await h.request("DELETE", `/v1/docker/${pk}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toContain("referenced by the tags latest, stable of AwesomeEncoder");
    expect((await h.request("GET", `/v1/docker/${pk}`)).status).toBe(200);

    expect((await h.request("DELETE", `/v1/docker/${pk}/tags/latest`)).status).toBe(200);
    const still = await h.request("DELETE", `/v1/docker/${pk}`);
    expect(still.status).toBe(409);
    expect(still.json.error).toContain("the tag stable");
    expect((await h.request("DELETE", `/v1/docker/${pk}/tags/stable`)).status).toBe(200);
    expect((await h.request("DELETE", `/v1/docker/${pk}`)).status).toBe(204);
    expect((await h.request("GET", `/v1/docker/${pk}`)).status).toBe(404);
  });

  it("keeps protected tags: they neither move to another image nor go away", async () => {
    const first = (await h.request("POST", "/v1/docker/create", IMAGE)).json.pk;
    const second = (await h.request("POST", "/v1/docker/create", { ...IMAGE, version: "1.0.1" })).json.pk;
    expect((await h.request("PUT", `/v1/docker/${first}/tags/1.0.0`, { protected: true })).status).toBe(200);
    const moved = await h.request("PUT", `/v1/docker/${second}/tags/1.0.0`, {});
    expect(moved.status).toBe(409);
    expect(moved.json.error).toContain("protected");
    const removed = await h.request("DELETE", `/v1/docker/${first}/tags/1.0.0`);
    expect(removed.status).toBe(409);
    const deleted = await h.request("DELETE", `/v1/docker/${first}`);
    expect(deleted.status).toBe(409);
    expect(deleted.json.error).toContain("1.0.0 (protected)");
    // Renaming would detach the tags from their series.
    const renamed = await h.request("PATCH", `/v1/docker/${first}`, { name: "OtherName" });
    expect(renamed.status).toBe(409);
    const reversioned = await h.request("PATCH", `/v1/docker/${first}`, { version: "9.9.9" });
    expect(reversioned.status).toBe(409);
    expect(reversioned.json.error).toContain(
      "cannot change its kind, name or version while tags point at it",
    );
    expect((await h.request("PATCH", `/v1/docker/${first}`, { version: "1.0.0", cpu: false })).status).toBe(
      200,
    );
  });

  it("deprecates a version with a reason and takes the deprecation back", async () => {
    const pk = (await h.request("POST", "/v1/docker/create", IMAGE)).json.pk;
    expect((await h.request("POST", `/v1/docker/${pk}/deprecate`, {})).status).toBe(400);
    const deprecated = await h.request("POST", `/v1/docker/${pk}/deprecate`, {
      reason: "CVE-2026-0001 in the base image",
    });
    expect(deprecated.json).toMatchObject({
      deprecated: true,
      deprecation_reason: "CVE-2026-0001 in the base image",
    });
    expect((await h.request("POST", "/v1/docker/list", { deprecated: true })).json).toHaveLength(1);
    const back = await h.request("DELETE", `/v1/docker/${pk}/deprecate`);
    expect(back.json).toMatchObject({ deprecated: false, deprecation_reason: null });
  });

  it("lists frameworks, CUDA versions and hardware generations", async () => {
    await h.request("POST", "/v1/framework/create", { name: "pytorch" });
    expect((await h.request("POST", "/v1/framework/create", { name: "PyTorch" })).status).toBe(409);
    expect((await h.request("POST", "/v1/framework/create", { name: "<script>" })).status).toBe(400);
    await h.request("POST", "/v1/docker/create", IMAGE);
    expect((await h.request("POST", "/v1/framework/list")).json).toEqual([
      { pk: 1, name: "pytorch", version: null, url: null },
    ]);
    expect((await h.request("GET", "/v1/framework/1")).json.name).toBe("pytorch");
    expect((await h.request("GET", "/v1/framework/2")).status).toBe(404);
    expect((await h.request("POST", "/v1/cuda/list")).json).toEqual([{ pk: 1, version: "11.8" }]);
    expect((await h.request("POST", "/v1/hardware/list")).json).toEqual([{ pk: 1, name: "ampere" }]);
  });

  it("passes on requests that are not the catalogue's", async () => {
    expect((await h.request("GET", "/api/github/webhooks")).text).toBe("not ours");
  });
});

describe("catalogue store API for tags (used by publishing and protected tags)", () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await startCatalogue()));
  afterEach(async () => h.close());

  it("moves an unprotected tag between versions of a series, finds versions case-insensitively", async () => {
    const one = h.catalogue.create({ ...fields("1.0.0") });
    const two = h.catalogue.create({ ...fields("2.0.0") });
    h.catalogue.setTag(one.pk, "stable");
    h.catalogue.setTag(two.pk, "stable");
    expect(h.catalogue.tagsOfSeries("encoder", "AwesomeEncoder")).toEqual([
      { tag: "stable", protected: false, imagePk: two.pk },
    ]);
    expect(h.catalogue.find("ENCODER", "awesomeencoder", "1.0.0")?.pk).toBe(one.pk);
    h.catalogue.setTag(two.pk, "2.0.0", { protected: true });
    // Protection is sticky: pointing it again without the flag keeps it protected.
    h.catalogue.setTag(two.pk, "2.0.0");
    expect(h.catalogue.get(two.pk)?.tags).toEqual([
      { tag: "2.0.0", protected: true },
      { tag: "stable", protected: false },
    ]);
    expect(() => h.catalogue.setTag(one.pk, "2.0.0")).toThrow(/protected/);
    expect((await h.request("DELETE", `/v1/docker/${one.pk}`)).status).toBe(204);
    const method = await h.request("GET", "/v1/docker/create");
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("POST");
  });
});

function fields(version: string) {
  return {
    kind: "encoder",
    name: "AwesomeEncoder",
    version,
    url: `registry.example.com/jinahub/pod.encoder.awesomeencoder:${version}`,
    registryUrl: "https://registry.example.com",
  };
}
