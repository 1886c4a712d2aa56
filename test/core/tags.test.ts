import { checkBundleStatic } from "../../src/core/check-bundle.js";
import { organizationFor, resolveHubConfig } from "../../src/core/hub-config.js";
import { mergeTags, tagsToApply } from "../../src/core/tags.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

const ROOT = "executors/encoders/Tagged";
const manifest = (...extra: string[]) =>
  ["name: Tagged", "kind: encoder", "type: pod", "description: d", "version: 1.2.0", ...extra].join("\n") +
  "\n";

function check(text: string, hub = {}) {
  return checkBundleStatic(
    {
      location: { root: ROOT, kindsFolder: "encoders", folderName: "Tagged" },
      entries: [
        { path: "Dockerfile", type: "file", size: 10 },
        { path: "manifest.yml", type: "file", size: text.length },
      ],
      manifestText: text,
    },
    resolveHubConfig(hub),
    manifestValidator(),
  ).result;
}

const tagFindings = (text: string, hub = {}) =>
  check(text, hub)
    .findings.filter((f) => f.rule.startsWith("tags/"))
    .map((f) => ({ rule: f.rule, line: f.line, column: f.column }));

describe("tags in manifest.yml", () => {
  it("accepts valid tags and carries them, with the hub config's, to the result", () => {
    const result = check(manifest("tags: [gpu, stable]", "protected_tags:", "  - v1-lts"), {
      tags: ["cpu"],
      protected_tags: ["frozen"],
    });
    expect(result.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(result.tags).toEqual(["cpu", "gpu", "stable"]);
    expect(result.protectedTags).toEqual(["frozen", "v1-lts"]);
  });

  it("reports each bad tag on its own line and column", () => {
    const text = manifest(
      "tags:",
      "  - gpu",
      "  - -bad",
      "  - 1.0.0",
      "  - frozen",
      "  - lts",
      "protected_tags: [latest, lts]",
    );
    expect(tagFindings(text, { protected_tags: ["frozen"] })).toEqual([
      { rule: "tags/invalid", line: 8, column: 5 },
      { rule: "tags/version", line: 9, column: 5 },
      { rule: "tags/protected-collision", line: 10, column: 5 },
      { rule: "tags/protected-collision", line: 11, column: 5 },
      { rule: "tags/latest-protected", line: 12, column: 18 },
    ]);
    const messages = check(text)
      .findings.map((f) => f.message)
      .join("\n");
    expect(messages).toContain('"1.0.0" is a version');
  });

  it("defaults to latest only when no tag is given anywhere", () => {
    expect(tagsToApply(mergeTags({ tags: [] }, undefined).tags)).toEqual(["latest"]);
    expect(tagsToApply(mergeTags({ tags: ["gpu"] }, { tags: ["gpu", "latest"] }).tags)).toEqual([
      "gpu",
      "latest",
    ]);
    expect(tagsToApply(["v1.0.0"])).toEqual(["v1.0.0"]);
  });
});

describe("organisations in the hub config", () => {
  const config = resolveHubConfig({
    organizations: [
      { organization: "acme", folders: ["executors/encoders/"] },
      { organization: "beta", owners: ["Beta-Corp"] },
    ],
  });
  it("maps folders first, then pull-request owners", () => {
    expect(organizationFor(config, "executors/encoders/X", "beta-corp")).toBe("acme");
    expect(organizationFor(config, "executors/encodersX/Y")).toBeUndefined();
    expect(organizationFor(config, "executors/crafters/Y", "beta-corp")).toBe("beta");
    expect(organizationFor(config, "executors/crafters/Y", "someone")).toBeUndefined();
  });
});
