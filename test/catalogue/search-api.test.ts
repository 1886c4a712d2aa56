import type { PublishedImage } from "../../src/catalogue/catalogue-store.js";
import { startCatalogue, type CatalogueHarness } from "./catalogue-harness.js";

const image = (
  kind: string,
  name: string,
  version: string,
  extra: Partial<PublishedImage> = {},
): PublishedImage => ({
  kind,
  name,
  version,
  repository: `registry.example.com/jinahub/pod.${kind}.${name.toLowerCase()}`,
  digest: `sha256:${"c".repeat(64)}`,
  registryUrl: "https://registry.example.com",
  tasks: [],
  cpu: true,
  revision: { sourceUrl: "https://github.com/acme/hub", commit: "f".repeat(40), branch: "main" },
  latest: true,
  publishedAt: `2026-12-0${version.split(".")[2] ?? "1"}T00:00:00.000Z`,
  ...extra,
});

describe("GET /api/v1/images and badges", () => {
  let h: CatalogueHarness;
  beforeAll(async () => {
    h = await startCatalogue();
    h.catalogue.recordPublished(
      image("encoder", "Alpha", "0.0.1", { domain: "nlp", description: "100% text_match" }),
    );
    h.catalogue.recordPublished(
      image("encoder", "Alpha", "0.0.2", { domain: "nlp", description: "100% text_match" }),
    );
    h.catalogue.recordPublished(image("encoder", "Beta", "0.0.3", { domain: "vision" }));
    h.catalogue.recordPublished(image("indexer", "Gamma", "0.0.4", { domain: "nlp" }));
  });
  afterAll(async () => h.close());

  it("pages through series with a total count and links", async () => {
    const first = await h.request("GET", "/api/v1/images?per_page=2", undefined, null);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-total-count")).toBe("3");
    expect(first.json.map((s: { name: string }) => s.name)).toEqual(["Gamma", "Beta"]);
    expect(first.headers.get("link")).toContain('</api/v1/images?per_page=2&page=2>; rel="next"');
    const second = await h.request("GET", "/api/v1/images?per_page=2&page=2", undefined, null);
    expect(second.json).toEqual([
      expect.objectContaining({ name: "Alpha", latest_version: "0.0.2", versions: 2, domain: "nlp" }),
    ]);
    expect((await h.request("GET", "/api/v1/images?page=0")).status).toBe(400);
    expect((await h.request("GET", "/api/v1/images?per_page=1000")).status).toBe(400);
  });

  it("filters by kind and domain and searches literally (% and _ are not wildcards)", async () => {
    const nlpEncoders = await h.request("GET", "/api/v1/images?kind=encoder&domain=nlp");
    expect(nlpEncoders.json.map((s: { name: string }) => s.name)).toEqual(["Alpha"]);
    expect((await h.request("GET", "/api/v1/images?q=100%25")).headers.get("x-total-count")).toBe("1");
    expect((await h.request("GET", "/api/v1/images?q=t_x")).headers.get("x-total-count")).toBe("0");
  });

  it("returns every version of one image, newest first", async () => {
    const alpha = await h.request("GET", "/api/v1/images/encoder/Alpha");
    expect(alpha.json).toMatchObject({ kind: "encoder", name: "Alpha", latest_version: "0.0.2" });
    expect(alpha.json.pull).toBe(
      `docker pull registry.example.com/jinahub/pod.encoder.alpha:0.0.2@sha256:${"c".repeat(64)}`,
    );
    expect(
      alpha.json.versions.map((v: { version: string; branch: string }) => [v.version, v.branch]),
    ).toEqual([
      ["0.0.2", "main"],
      ["0.0.1", "main"],
    ]);
    expect((await h.request("GET", "/api/v1/images/encoder/Nope")).status).toBe(404);
  });

  it("draws a badge with the latest version, deprecation, or not found", async () => {
    const badge = await h.request("GET", "/badge/encoder/Alpha.svg", undefined, null);
    expect(badge.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(badge.text).toContain('aria-label="hubgate: 0.0.2"');
    const pk = h.catalogue.list({ name: "Alpha", version: "0.0.2" })[0]!.pk;
    h.catalogue.deprecate(pk, "broken");
    expect((await h.request("GET", "/badge/encoder/Alpha.svg")).text).toContain("0.0.2 deprecated");
    const missing = await h.request("GET", "/badge/encoder/%3Cscript%3E.svg");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("not found");
    expect(missing.text).not.toContain("<script>");
  });
});

describe("re-publishing a version", () => {
  let h: CatalogueHarness;
  beforeAll(async () => (h = await startCatalogue()));
  afterAll(async () => h.close());

  it("keeps the first commit and adds the branch and tag a later run knows", () => {
    h.catalogue.recordPublished(
      image("encoder", "Delta", "1.0.0", { revision: { commit: "1".repeat(40), branch: "main" } }),
    );
    const again = h.catalogue.recordPublished(
      image("encoder", "Delta", "1.0.0", {
        revision: { commit: "2".repeat(40), tag: "v1.0.0" },
        latest: false,
      }),
    );
    expect(again.revision).toEqual({
      repository_url: null,
      commit: "1".repeat(40),
      branch: "main",
      tag: "v1.0.0",
    });
    // `latest` stays where the first publish put it.
    expect(again.tags).toEqual([
      { tag: "1.0.0", protected: true },
      { tag: "latest", protected: false },
    ]);
    expect(h.catalogue.list({ name: "Delta" })).toHaveLength(1);
  });
});
