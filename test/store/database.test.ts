import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureSchema, openDatabase } from "../../src/store/database.js";

describe("embedded store", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hubgate-db-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("applies each part's schema steps once, in order, and keeps data across opens", () => {
    const steps = ["CREATE TABLE t (a TEXT)", "ALTER TABLE t ADD COLUMN b TEXT"];
    const first = openDatabase(dir);
    expect(first.pragma("journal_mode", { simple: true })).toBe("wal");
    ensureSchema(first, "demo", steps.slice(0, 1));
    first.prepare("INSERT INTO t (a) VALUES ('x')").run();
    first.close();

    const second = openDatabase(dir);
    ensureSchema(second, "demo", steps);
    ensureSchema(second, "demo", steps);
    expect(second.prepare("SELECT a, b FROM t").all()).toEqual([{ a: "x", b: null }]);
    second.close();
  });

  it("sees another connection's committed writes (two processes on one file)", () => {
    const writer = openDatabase(dir);
    ensureSchema(writer, "demo", ["CREATE TABLE t (a TEXT)"]);
    const reader = openDatabase(dir, { readOnly: true });
    writer.prepare("INSERT INTO t (a) VALUES ('y')").run();
    expect(reader.prepare("SELECT a FROM t").all()).toEqual([{ a: "y" }]);
    reader.close();
    writer.close();
  });

  it("refuses to open a missing store read-only", () => {
    expect(() => openDatabase(join(dir, "none"), { readOnly: true })).toThrow();
  });
});
