import { checkBundleFiles, symlinkEscapes, type BundleEntry } from "../../src/core/bundle-files.js";

const file = (path: string): BundleEntry => ({ path, type: "file", size: 1 });
const COMPLETE = [
  file("Dockerfile"),
  file("manifest.yml"),
  file("config.yml"),
  file("requirements.txt"),
  file("enc.py"),
  { path: "tests", type: "dir" as const },
  file("tests/test_enc.py"),
];

describe("required files", () => {
  it("accepts a complete bundle", () => {
    expect(checkBundleFiles("b", COMPLETE)).toEqual([]);
  });

  it("errors on a missing Dockerfile or manifest.yml, warns on the rest", () => {
    const findings = checkBundleFiles("b", [file("notes.txt")]);
    expect(findings.map((f) => [f.rule, f.level, f.message.split(" ").slice(0, 3).join(" ")])).toEqual([
      ["bundle/missing-file", "error", "required file Dockerfile"],
      ["bundle/missing-file", "error", "required file manifest.yml"],
      ["bundle/recommended-file", "warning", "recommended config.yml is"],
      ["bundle/recommended-file", "warning", "recommended requirements.txt is"],
      ["bundle/recommended-file", "warning", "recommended *.py is"],
      ["bundle/recommended-file", "warning", "recommended tests/ is"],
    ]);
  });

  it.each(["manifest.yaml", "Manifest.yml", "MANIFEST.YML"])("hints to rename %s", (name) => {
    const entries = COMPLETE.filter((e) => e.path !== "manifest.yml").concat(file(name));
    const findings = checkBundleFiles("b", entries);
    expect(findings).toEqual([expect.objectContaining({ file: `b/${name}`, rule: "bundle/missing-file" })]);
    expect(findings[0]!.message).toContain(`rename it to manifest.yml`);
  });

  it("hints to rename dockerfile", () => {
    const entries = COMPLETE.filter((e) => e.path !== "Dockerfile").concat(file("dockerfile"));
    expect(checkBundleFiles("b", entries)[0]!.message).toContain(
      '"dockerfile" is here: rename it to Dockerfile',
    );
  });

  it("accepts another *.yml as the executor config", () => {
    const entries = COMPLETE.filter((e) => e.path !== "config.yml").concat(file("encoder.yml"));
    expect(checkBundleFiles("b", entries)).toEqual([]);
  });

  it("flags symlinks that leave the bundle, never reading them", () => {
    const entries = [
      ...COMPLETE,
      { path: "secrets", type: "symlink" as const, linkTarget: "/etc/shadow" },
      { path: "tests/up", type: "symlink" as const, linkTarget: "../../other/file" },
      { path: "ok", type: "symlink" as const, linkTarget: "tests/test_enc.py" },
    ];
    const findings = checkBundleFiles("b", entries);
    expect(findings.map((f) => [f.file, f.rule])).toEqual([
      ["b/secrets", "bundle/symlink-escape"],
      ["b/tests/up", "bundle/symlink-escape"],
    ]);
  });

  it("computes escapes by path arithmetic", () => {
    expect(symlinkEscapes("a/b", "../c")).toBe(false);
    expect(symlinkEscapes("a/b", "../../c")).toBe(true);
    expect(symlinkEscapes("a", "/abs")).toBe(true);
    expect(symlinkEscapes("a", "./x/../../y")).toBe(true);
  });
});
