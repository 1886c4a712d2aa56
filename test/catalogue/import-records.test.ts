import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Catalogue } from "../../src/catalogue/catalogue-store.js";
import { PublishStore } from "../../src/publish/publish-store.js";
import { runCli } from "../helpers/run-cli.js";

describe("a store from before the catalogue", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-import-"));
    const store = await PublishStore.open(dataDir);
    for (const [version, at] of [
      ["0.0.1", "2026-10-01T00:00:00.000Z"],
      ["0.0.2", "2026-11-01T00:00:00.000Z"],
    ] as const)
      await store.record({
        name: "OldEncoder",
        kind: "encoder",
        version,
        repository: "registry.example.com/jinahub/pod.encoder.oldencoder",
        digest: `sha256:${version.replace(/\./g, "").padStart(64, "a")}`,
        imageId: `sha256:${"b".repeat(64)}`,
        sourceRepository: "https://github.com/acme/hub",
        commit: "c".repeat(40),
        publishedAt: at,
      });
    await store.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("shows its publish records in `hubgate published`, imported once with protected version tags", () => {
    const first = runCli(["published", "--data-dir", dataDir, "--format", "json"]);
    expect(first.code).toBe(0);
    const images = JSON.parse(first.stdout) as Array<Record<string, unknown>>;
    expect(images.map((i) => [i.version, i.url, i.registry_url, i.tags])).toEqual([
      [
        "0.0.2",
        `registry.example.com/jinahub/pod.encoder.oldencoder:0.0.2@sha256:${"002".padStart(64, "a")}`,
        "https://registry.example.com",
        [{ tag: "0.0.2", protected: true }],
      ],
      [
        "0.0.1",
        `registry.example.com/jinahub/pod.encoder.oldencoder:0.0.1@sha256:${"001".padStart(64, "a")}`,
        "https://registry.example.com",
        [{ tag: "0.0.1", protected: true }],
      ],
    ]);
    const again = Catalogue.open(dataDir);
    try {
      expect(again.list()).toHaveLength(2);
    } finally {
      again.close();
    }
  });
});
