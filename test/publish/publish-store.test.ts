import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatPublished, listPublished } from "../../src/publish/list-published.js";
import { PublishStore, PublishStoreError, type PublishRecord } from "../../src/publish/publish-store.js";

let dataDir: string;
beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), "hubgate-store-")), "nested", "data");
});
afterEach(() => rmSync(join(dataDir, "..", ".."), { recursive: true, force: true }));

const record = (version: string, overrides: Partial<PublishRecord> = {}): PublishRecord => ({
  name: "AwesomeEncoder",
  kind: "encoder",
  version,
  repository: "registry.example.com/jinahub/pod.encoder.awesomeencoder",
  digest: `sha256:${"a".repeat(63)}${version.at(-1)}`,
  imageId: `sha256:${"b".repeat(63)}${version.at(-1)}`,
  sourceRepository: "https://github.com/jina-ai/jina-hub",
  commit: "0123456789abcdef0123456789abcdef01234567",
  publishedAt: `2025-01-0${version.at(-1)}T00:00:00.000Z`,
  ...overrides,
});

describe("PublishStore (embedded SQLite store)", () => {
  it("persists records across re-open", async () => {
    const store = await PublishStore.open(dataDir);
    await store.record(record("0.0.1"));
    await store.record(record("0.0.2", { sourceRepository: undefined, commit: undefined }));
    await store.close();

    const reopened = await PublishStore.open(dataDir);
    expect(reopened.path).toBe(join(dataDir, "hubgate.db"));
    expect(reopened.find(record("0.0.1").repository, "0.0.1")).toEqual(record("0.0.1"));
    expect(reopened.find(record("0.0.1").repository, "0.0.2")).toEqual(
      record("0.0.2", { sourceRepository: undefined, commit: undefined }),
    );
    expect(reopened.find(record("0.0.1").repository, "9.9.9")).toBeUndefined();
    expect(reopened.list().map((r) => r.version)).toEqual(["0.0.2", "0.0.1"]);
    expect(reopened.list("elsewhere/x")).toEqual([]);
    await reopened.close();
    // Closed cleanly: the write-ahead log was folded back into the database file.
    expect(readdirSync(dataDir)).toEqual(["hubgate.db"]);
  });

  it("replaces the row of the same repository and version", async () => {
    const store = await PublishStore.open(dataDir);
    await store.record(record("0.0.1"));
    await store.record(record("0.0.1", { digest: `sha256:${"c".repeat(64)}` }));
    expect(store.list()).toHaveLength(1);
    expect(store.find(record("0.0.1").repository, "0.0.1")?.digest).toBe(`sha256:${"c".repeat(64)}`);
    await store.close();
  });

  it("keeps every record when two processes write the same data dir", async () => {
    const first = await PublishStore.open(dataDir);
    const second = await PublishStore.open(dataDir);
    await first.record(record("0.0.1"));
    await second.record(record("0.0.2"));
    await first.record(record("0.0.3"));
    await first.close();
    await second.close();
    const reopened = await PublishStore.open(dataDir, { readOnly: true });
    expect(reopened.list().map((r) => r.version)).toEqual(["0.0.3", "0.0.2", "0.0.1"]);
    await reopened.close();
  });

  it("serialises concurrent writes: every record reaches the file", async () => {
    const store = await PublishStore.open(dataDir);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.record(record(`1.0.${i}`, { publishedAt: new Date(i).toISOString() })),
      ),
    );
    await store.close();
    const reopened = await PublishStore.open(dataDir, { readOnly: true });
    expect(reopened.list()).toHaveLength(20);
    await reopened.close();
  });

  it("read-only: a missing store reads as empty and creates nothing; writes are refused", async () => {
    const store = await PublishStore.open(dataDir, { readOnly: true });
    expect(store.list()).toEqual([]);
    await expect(store.record(record("0.0.1"))).rejects.toBeInstanceOf(PublishStoreError);
    await store.close();
    expect(existsSync(dataDir)).toBe(false);
  });

  it("names the file when it is not a database", async () => {
    const store = await PublishStore.open(dataDir);
    await store.close();
    writeFileSync(
      join(dataDir, "hubgate.db"),
      "this is not sqlite, just text long enough to be read as a header",
    );
    await expect(PublishStore.open(dataDir)).rejects.toThrow(
      `${join(dataDir, "hubgate.db")} is not a readable publish store`,
    );
  });
});

describe("listPublished / formatPublished", () => {
  it("lists records as text and JSON", async () => {
    expect(formatPublished(await listPublished(dataDir), "text")).toBe("nothing published yet\n");
    const store = await PublishStore.open(dataDir);
    await store.record(record("0.0.1"));
    await store.close();

    const records = await listPublished(dataDir);
    expect(JSON.parse(formatPublished(records, "json"))).toEqual([record("0.0.1")]);
    expect(formatPublished(records, "text")).toBe(
      "2025-01-01T00:00:00.000Z  registry.example.com/jinahub/pod.encoder.awesomeencoder:0.0.1  " +
        `${record("0.0.1").digest}  0123456789ab  https://github.com/jina-ai/jina-hub\n`,
    );
  });
});
