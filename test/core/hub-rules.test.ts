import { matchRoot, parseLayout } from "../../src/core/bundle-layout.js";
import { checkBundleFiles, type BundleEntry } from "../../src/core/bundle-files.js";
import { checkBundleStatic } from "../../src/core/check-bundle.js";
import { compileSchema } from "../../src/core/compile-schema.js";
import { checkHubConfigText } from "../../src/core/hub-config-check.js";
import { resolveHubConfig, type HubConfigInput } from "../../src/core/hub-config.js";
import { loadSchema } from "../../src/config/schemas.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

const validateConfig = compileSchema(loadSchema("config"));
const configOf = (text: string) => checkHubConfigText(".hubgate.yml", text, validateConfig);
const file = (path: string): BundleEntry => ({ path, type: "file", size: 1 });
const ENTRIES = ["Dockerfile", "manifest.yml", "config.yml", "requirements.txt", "x.py", "tests/t.py"].map(
  file,
);
const ROOT = "encoders/nlp/TextEncoder";
const manifest = (name: string, version = "1.0.0", kind = "encoder") =>
  `name: ${name}\nkind: ${kind}\ntype: pod\ndescription: d\nversion: "${version}"\n`;
const check = (text: string, input: HubConfigInput = {}, base?: string) =>
  checkBundleStatic(
    {
      location: matchRoot(parseLayout(["{kinds}/{domain}/{name}", "{kinds}/{name}"]), ROOT)!,
      entries: ENTRIES,
      manifestText: text,
      baseManifestText: base,
    },
    resolveHubConfig(input),
    manifestValidator(),
  );

describe(".hubgate.yml: problems are findings at their line", () => {
  it("accepts a layout list and fills the seed's defaults", () => {
    const { config, findings } = configOf("layout:\n  - '{kinds}/{domain}/{name}'\n  - '{kinds}/{name}'\n");
    expect(findings).toEqual([]);
    expect(config).toMatchObject({
      layout: ["{kinds}/{domain}/{name}", "{kinds}/{name}"],
      versionBump: "error",
      namePattern: "^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{3,20}$",
      files: { required: ["Dockerfile", "manifest.yml"] },
    });
  });

  it("reports YAML errors, unknown keys, bad values, bad layouts and bad regexes where they are", () => {
    expect(configOf("layout: [unclosed\n").findings[0]).toMatchObject({ rule: "config/yaml", line: 2 });
    expect(configOf("namespace: hub\nversionBump: maybe\n").findings).toEqual([
      expect.objectContaining({ rule: "config/invalid", line: 2, column: 14 }),
    ]);
    expect(configOf("layoutt: '{name}'\n").findings[0]).toMatchObject({ line: 1, column: 1 });
    expect(configOf("layout: '{kinds}/{name}/{name}'\n").findings[0]!.message).toContain("{name} twice");
    expect(configOf("namePattern: '(['\n").findings[0]).toMatchObject({ rule: "config/invalid", line: 1 });
    expect(configOf("requireVersionBump: false\n").config?.versionBump).toBe("off");
  });
});

describe("rules per hub", () => {
  it("the name pattern: jina-hub's 3 to 31 characters instead of the seed's 4 to 21", () => {
    const jina = { namePattern: "^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{2,30}$" };
    expect(check(manifest("Abc"), jina).result.findings).toEqual([]);
    const seed = check(manifest("Abc")).result.findings;
    expect(seed.map((f) => [f.rule, f.line, f.column])).toEqual([["manifest/name", 1, 7]]);
    expect(seed[0]!.message).toBe(
      'name "Abc" is 3 characters long; it must be 4 to 21 characters (regex ^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{3,20}$).',
    );
    expect(check(manifest("9Lives")).result.findings[0]!.message).toBe(
      'name "9Lives" must start with a letter, _ or $.',
    );
    expect(check(manifest("x".repeat(300)), { namePattern: ".*" }).result.findings[0]!.rule).toBe(
      "manifest/name",
    );
  });

  it("allowed kinds, with a did-you-mean", () => {
    const findings = check(manifest("TextEncoder", "1.0.0", "encodr"), {
      kinds: ["encoder", "indexer"],
      kindMustMatchFolder: false,
    }).result.findings;
    expect(findings.map((f) => [f.rule, f.line])).toEqual([["manifest/allowed-kind", 2]]);
    expect(findings[0]!.message).toContain('did you mean "encoder"');
  });

  it("the version-bump policy: error, warning or off", () => {
    const base = manifest("TextEncoder", "1.0.0");
    const level = (versionBump: "error" | "warning" | "off") =>
      check(manifest("TextEncoder", "1.0.0"), { versionBump }, base).result.findings.map((f) => [
        f.rule,
        f.level,
      ]);
    expect(level("error")).toEqual([["manifest/version-bump", "error"]]);
    expect(level("warning")).toEqual([["manifest/version-bump", "warning"]]);
    expect(level("off")).toEqual([]);
  });

  it("build metadata is valid SemVer: + becomes _ in the tag", () => {
    const checked = check(manifest("TextEncoder", "1.0.0-rc.1+build.5"));
    expect(checked.result.findings).toEqual([]);
    expect(checked.result.imageRef).toMatchObject({
      tag: "1.0.0-rc.1_build.5",
      version: "1.0.0-rc.1+build.5",
    });
    expect(checked.result.image).toBe("jinahub/pod.encoder.textencoder:1.0.0-rc.1_build.5");
  });

  it("required and recommended files per hub; Dockerfile and manifest.yml always required", () => {
    const files = resolveHubConfig({
      files: { required: ["README.md"], recommended: ["docs/", "*.ipynb"] },
    }).files;
    expect(files.required).toEqual(["Dockerfile", "manifest.yml", "README.md"]);
    const findings = checkBundleFiles("b", [file("Dockerfile"), file("manifest.yml")], files);
    expect(findings.map((f) => [f.rule, f.message])).toEqual([
      ["bundle/missing-file", "required file README.md is missing (the hub's .hubgate.yml asks for it)."],
      ["bundle/recommended-file", "recommended docs/ is missing (the hub's .hubgate.yml asks for it)."],
      ["bundle/recommended-file", "recommended *.ipynb is missing (the hub's .hubgate.yml asks for it)."],
    ]);
    expect(
      checkBundleFiles(
        "b",
        [file("Dockerfile"), file("manifest.yml"), file("README.md"), file("docs/a.md"), file("nb/x.ipynb")],
        files,
      ),
    ).toEqual([]);
  });
});
