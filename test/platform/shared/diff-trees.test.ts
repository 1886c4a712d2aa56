import { diffTrees } from "../../../src/platform/shared/diff-trees.js";

describe("diffTrees: the change list when a platform caps it", () => {
  it("lists additions, modifications and removals, and pairs an exact move as a rename", () => {
    const before = new Map([
      ["encoders/nlp/A/manifest.yml", "m1"],
      ["encoders/nlp/A/enc.py", "p1"],
      ["encoders/nlp/B/manifest.yml", "m2"],
      ["README.md", "r1"],
      ["gone.txt", "g1"],
    ]);
    const after = new Map([
      ["encoders/image/A/manifest.yml", "m1"],
      ["encoders/image/A/enc.py", "p2"],
      ["encoders/nlp/B/manifest.yml", "m2"],
      ["README.md", "r2"],
      ["new.txt", "n1"],
    ]);
    expect(diffTrees(before, after)).toEqual([
      {
        path: "encoders/image/A/manifest.yml",
        status: "renamed",
        previousPath: "encoders/nlp/A/manifest.yml",
      },
      { path: "encoders/image/A/enc.py", status: "added" },
      { path: "README.md", status: "modified" },
      { path: "new.txt", status: "added" },
      { path: "encoders/nlp/A/enc.py", status: "removed" },
      { path: "gone.txt", status: "removed" },
    ]);
  });

  it("pairs identical files by their inner path when several moved at once", () => {
    const before = new Map([
      ["a/X/__init__.py", "empty"],
      ["a/X/tests/__init__.py", "empty"],
    ]);
    const after = new Map([
      ["b/X/tests/__init__.py", "empty"],
      ["b/X/__init__.py", "empty"],
    ]);
    expect(diffTrees(before, after).map((c) => [c.path, c.previousPath])).toEqual([
      ["b/X/tests/__init__.py", "a/X/tests/__init__.py"],
      ["b/X/__init__.py", "a/X/__init__.py"],
    ]);
  });
});
