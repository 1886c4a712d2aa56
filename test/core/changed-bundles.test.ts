import { parseLayout, placePath } from "../../src/core/bundle-layout.js";
import { findChangedBundles } from "../../src/core/changed-bundles.js";

const layout = parseLayout("executors/{kinds}/{name}");

describe("bundles from changed paths", () => {
  it("groups changed files into bundles, sorted, once each", () => {
    const result = findChangedBundles(layout, [
      { path: "executors/encoders/B/manifest.yml", status: "modified" },
      { path: "executors/encoders/A/Dockerfile", status: "added" },
      { path: "executors/encoders/B/tests/test_b.py", status: "added" },
      { path: "README.md", status: "modified" },
      { path: ".github/workflows/ci.yml", status: "modified" },
    ]);
    expect(result.bundles.map((b) => b.root)).toEqual(["executors/encoders/A", "executors/encoders/B"]);
    expect(result.bundles[0]).toEqual({
      root: "executors/encoders/A",
      kindsFolder: "encoders",
      folderName: "A",
    });
    expect(result.findings).toEqual([]);
  });

  it("skips removed bundles but checks a bundle that only lost some files", () => {
    const result = findChangedBundles(layout, [
      { path: "executors/encoders/Gone/manifest.yml", status: "removed" },
      { path: "executors/encoders/Gone/Dockerfile", status: "removed" },
      { path: "executors/encoders/Trimmed/tests/old.py", status: "removed" },
    ]);
    expect(result.bundles.map((b) => b.root)).toEqual(["executors/encoders/Trimmed"]);
    expect(result.removed.map((b) => b.root)).toEqual(["executors/encoders/Gone"]);
  });

  it("follows renames: the new bundle is checked, the old one only if something is left", () => {
    const result = findChangedBundles(layout, [
      {
        path: "executors/encoders/New/manifest.yml",
        status: "renamed",
        previousPath: "executors/encoders/Old/manifest.yml",
      },
    ]);
    expect(result.bundles.map((b) => b.root)).toEqual(["executors/encoders/New"]);
    expect(result.removed.map((b) => b.root)).toEqual(["executors/encoders/Old"]);
  });

  it("flags files directly under executors/ or executors/<kinds>/ as badly placed", () => {
    const result = findChangedBundles(layout, [
      { path: "executors/helper.py", status: "added" },
      { path: "executors/encoders/manifest.yml", status: "added" },
      { path: "executors/encoders/old.py", status: "removed" },
    ]);
    expect(result.bundles).toEqual([]);
    expect(result.findings.map((f) => [f.file, f.rule, f.level])).toEqual([
      ["executors/encoders/manifest.yml", "bundle/badly-placed", "error"],
      ["executors/helper.py", "bundle/badly-placed", "error"],
    ]);
  });

  it("supports the jina-hub layout {kinds}/{domain}/{name}", () => {
    const hub = parseLayout("{kinds}/{domain}/{name}");
    expect(placePath(hub, "encoders/nlp/TextEncoder/manifest.yml")).toEqual({
      kind: "bundle",
      bundle: { root: "encoders/nlp/TextEncoder", kindsFolder: "encoders", folderName: "TextEncoder" },
      inner: "manifest.yml",
    });
    expect(placePath(hub, "README.md")).toEqual({ kind: "outside" });
  });

  it("handles a PR of 5,000 files across 1,000 bundles", () => {
    const changes = Array.from({ length: 5000 }, (_, i) => ({
      path: `executors/encoders/E${i % 1000}/f${i}.py`,
      status: "added" as const,
    }));
    expect(findChangedBundles(layout, changes).bundles).toHaveLength(1000);
  });
});
