import { parseLayout } from "../../src/core/bundle-layout.js";
import { findChangedBundles, type ChangedPath } from "../../src/core/changed-bundles.js";
import { placePath, scanTree, treeFromPaths } from "../../src/core/hub-tree.js";

const layout = parseLayout("executors/{kinds}/{name}");
const JINA = parseLayout(["{kinds}/{domain}/{name}", "{kinds}/{name}"]);

/** A head tree: each bundle gets a manifest.yml and a Dockerfile unless listed otherwise. */
const bundle = (root: string, ...files: string[]) =>
  (files.length ? files : ["manifest.yml", "Dockerfile"]).map((f) => `${root}/${f}`);

describe("bundles from changed paths, found by their marker", () => {
  it("groups changed files into bundles, sorted, once each", () => {
    const tree = treeFromPaths([
      ...bundle("executors/encoders/A"),
      ...bundle("executors/encoders/B", "manifest.yml", "tests/test_b.py"),
      "README.md",
    ]);
    const result = findChangedBundles(layout, tree, [
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

  it("skips deleted bundles but checks a bundle that only lost some files", () => {
    const tree = treeFromPaths(bundle("executors/encoders/Trimmed"));
    const result = findChangedBundles(layout, tree, [
      { path: "executors/encoders/Gone/manifest.yml", status: "removed" },
      { path: "executors/encoders/Gone/Dockerfile", status: "removed" },
      { path: "executors/encoders/Gone/tests/test_gone.py", status: "removed" },
      { path: "executors/encoders/Trimmed/tests/old.py", status: "removed" },
    ]);
    expect(result.bundles.map((b) => b.root)).toEqual(["executors/encoders/Trimmed"]);
    expect(result.removed).toEqual(["executors/encoders/Gone"]);
    expect(result.findings).toEqual([]);
  });

  it("follows a renamed bundle folder to its previous root", () => {
    const tree = treeFromPaths(bundle("executors/encoders/New", "manifest.yml", "Dockerfile", "enc.py"));
    const result = findChangedBundles(layout, tree, [
      {
        path: "executors/encoders/New/manifest.yml",
        status: "renamed",
        previousPath: "executors/encoders/Old/manifest.yml",
      },
      {
        path: "executors/encoders/New/enc.py",
        status: "renamed",
        previousPath: "executors/encoders/Old/enc.py",
      },
    ]);
    expect(result.bundles).toEqual([
      expect.objectContaining({ root: "executors/encoders/New", previousRoot: "executors/encoders/Old" }),
    ]);
    expect(result.removed).toEqual(["executors/encoders/Old"]);
  });

  it("finds the previous root from the other files when the manifest was rewritten (delete + add)", () => {
    const tree = treeFromPaths(bundle("executors/rankers/Moved", "manifest.yml", "Dockerfile", "a.py"));
    const result = findChangedBundles(layout, tree, [
      { path: "executors/rankers/Moved/manifest.yml", status: "added" },
      { path: "executors/encoders/Moved/manifest.yml", status: "removed" },
      {
        path: "executors/rankers/Moved/Dockerfile",
        status: "renamed",
        previousPath: "executors/encoders/Moved/Dockerfile",
      },
      {
        path: "executors/rankers/Moved/a.py",
        status: "renamed",
        previousPath: "executors/encoders/Moved/a.py",
      },
    ]);
    expect(result.bundles[0]).toMatchObject({
      root: "executors/rankers/Moved",
      previousRoot: "executors/encoders/Moved",
    });
  });

  it("a file moved between two live bundles gives no previous root", () => {
    const tree = treeFromPaths([...bundle("executors/encoders/A"), ...bundle("executors/encoders/B")]);
    const result = findChangedBundles(layout, tree, [
      {
        path: "executors/encoders/B/util.py",
        status: "renamed",
        previousPath: "executors/encoders/A/util.py",
      },
    ]);
    expect(result.bundles.map((b) => [b.root, b.previousRoot])).toEqual([
      ["executors/encoders/A", undefined],
      ["executors/encoders/B", undefined],
    ]);
  });

  it("flags files in the hub's folders but in no bundle as badly placed", () => {
    const tree = treeFromPaths([
      "executors/helper.py",
      "executors/encoders/manifest.yml",
      "executors/encoders/NoMarker/x.py",
    ]);
    const result = findChangedBundles(layout, tree, [
      { path: "executors/helper.py", status: "added" },
      { path: "executors/encoders/manifest.yml", status: "added" },
      { path: "executors/encoders/old.py", status: "removed" },
      { path: "executors/encoders/NoMarker/x.py", status: "added" },
    ]);
    expect(result.bundles).toEqual([]);
    expect(result.findings.map((f) => [f.file, f.rule, f.level])).toEqual([
      ["executors/encoders/NoMarker/x.py", "bundle/badly-placed", "error"],
      ["executors/encoders/manifest.yml", "bundle/badly-placed", "error"],
      ["executors/helper.py", "bundle/badly-placed", "error"],
    ]);
    expect(result.unplacedManifests).toEqual(["executors/encoders/manifest.yml"]);
  });

  it("handles a PR of 5,000 files across 1,000 bundles", () => {
    const paths: string[] = [];
    const changes: ChangedPath[] = [];
    for (let i = 0; i < 5000; i++) {
      paths.push(`executors/encoders/E${i % 1000}/f${i}.py`);
      changes.push({ path: `executors/encoders/E${i % 1000}/f${i}.py`, status: "added" });
    }
    for (let i = 0; i < 1000; i++) paths.push(`executors/encoders/E${i}/manifest.yml`);
    expect(findChangedBundles(layout, treeFromPaths(paths), changes).bundles).toHaveLength(1000);
  });
});

describe("mixed-depth layouts (jina-hub: ['{kinds}/{domain}/{name}', '{kinds}/{name}'])", () => {
  const tree = treeFromPaths([
    ...bundle(
      "encoders/nlp/TextEncoder",
      "manifest.yml",
      "Dockerfile",
      "tests/test_text.py",
      "imgs/logo.png",
    ),
    ...bundle("rankers/LevenshteinRanker", "manifest.yml", "Dockerfile", "tests/test_ranker.py"),
    // A folder inside a bundle with its own manifest.yml is still part of the bundle.
    ...bundle("rankers/LevenshteinRanker/tests", "manifest.yml"),
    ...bundle("crafters/image/NoManifest", "Dockerfile", "crafter.py"),
    "encoders/nlp/Loose/notes.txt",
    "encoders/README.md",
    "README.md",
    "docs/guide/intro/index.md",
    ".github/workflows/ci.yml",
  ]);

  it("places each path in its nearest enclosing bundle; inner folders are never bundles", () => {
    expect(placePath(JINA, tree, "rankers/LevenshteinRanker/tests/test_ranker.py")).toEqual({
      kind: "bundle",
      bundle: { root: "rankers/LevenshteinRanker", kindsFolder: "rankers", folderName: "LevenshteinRanker" },
      inner: "tests/test_ranker.py",
    });
    expect(placePath(JINA, tree, "encoders/nlp/TextEncoder/imgs/logo.png")).toMatchObject({
      kind: "bundle",
      bundle: { root: "encoders/nlp/TextEncoder", kindsFolder: "encoders" },
    });
    expect(placePath(JINA, tree, "crafters/image/NoManifest/crafter.py")).toMatchObject({
      kind: "bundle",
      bundle: { root: "crafters/image/NoManifest" },
    });
  });

  it("calls loose files in the hub's folders badly placed, and leaves the rest of the repository alone", () => {
    expect(placePath(JINA, tree, "encoders/nlp/Loose/notes.txt")).toEqual({ kind: "badly-placed" });
    expect(placePath(JINA, tree, "encoders/README.md")).toEqual({ kind: "badly-placed" });
    expect(placePath(JINA, tree, "README.md")).toEqual({ kind: "outside" });
    expect(placePath(JINA, tree, "docs/guide/intro/index.md")).toEqual({ kind: "outside" });
    expect(placePath(JINA, tree, ".github/workflows/ci.yml")).toEqual({ kind: "outside" });
  });

  it("scans every bundle at either depth, once", () => {
    const scan = scanTree(JINA, tree);
    expect(scan.bundles.map((b) => b.root)).toEqual([
      "crafters/image/NoManifest",
      "encoders/nlp/TextEncoder",
      "rankers/LevenshteinRanker",
    ]);
    expect(scan.stray).toEqual(["encoders/README.md", "encoders/nlp/Loose/notes.txt"]);
  });

  it("scans a sub-folder, a bundle, or a folder inside a bundle", () => {
    expect(scanTree(JINA, tree, "rankers").bundles.map((b) => b.root)).toEqual(["rankers/LevenshteinRanker"]);
    expect(scanTree(JINA, tree, "encoders/nlp/TextEncoder").bundles.map((b) => b.root)).toEqual([
      "encoders/nlp/TextEncoder",
    ]);
    expect(scanTree(JINA, tree, "rankers/LevenshteinRanker/tests").bundles.map((b) => b.root)).toEqual([
      "rankers/LevenshteinRanker",
    ]);
    expect(scanTree(JINA, tree, "encoders/nlp/TextEncoder").stray).toEqual([]);
  });

  it("a ranker-only change checks the ranker; deleting a ranker checks nothing and fails nothing", () => {
    const changed = findChangedBundles(JINA, tree, [
      { path: "rankers/LevenshteinRanker/tests/test_ranker.py", status: "modified" },
    ]);
    expect(changed.bundles.map((b) => b.root)).toEqual(["rankers/LevenshteinRanker"]);

    const afterDelete = treeFromPaths(bundle("encoders/nlp/TextEncoder"));
    const deleted = findChangedBundles(JINA, afterDelete, [
      { path: "rankers/BiMatchRanker/manifest.yml", status: "removed" },
      { path: "rankers/BiMatchRanker/Dockerfile", status: "removed" },
      { path: "rankers/BiMatchRanker/tests/__init__.py", status: "removed" },
      { path: "rankers/BiMatchRanker/tests/test_bimatch.py", status: "removed" },
    ]);
    expect(deleted).toMatchObject({ bundles: [], findings: [], removed: ["rankers/BiMatchRanker"] });
  });
});
