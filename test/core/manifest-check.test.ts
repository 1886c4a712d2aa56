import { checkManifestText } from "../../src/core/manifest-check.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

const FILE = "executors/encoders/X/manifest.yml";
const check = (text: string) => checkManifestText(FILE, text, manifestValidator());
const VALID = [
  "name: AwesomeEncoder",
  "kind: encoder",
  "type: pod",
  "description: Encodes things",
  "version: 0.0.1",
];
const withLines = (...lines: string[]) => lines.join("\n") + "\n";
const only = (text: string) =>
  check(text).findings.map((f) => ({ rule: f.rule, level: f.level, line: f.line, column: f.column }));

describe("manifest.yml against the schema", () => {
  it("accepts a valid manifest and fills the seed's defaults", () => {
    const result = check(withLines(...VALID));
    expect(result.findings).toEqual([]);
    expect(result.manifest).toMatchObject({
      license: "apache-2.0",
      vendor: "Jina AI Limited",
      version: "0.0.1",
    });
    expect(check(withLines(...VALID.slice(0, 4))).manifest?.version).toBe("0.0.0");
  });

  it("reports every missing required field in one pass", () => {
    const findings = check("version: 0.0.1\n").findings;
    expect(findings.map((f) => f.rule)).toEqual(Array(4).fill("manifest/required"));
    expect(findings.map((f) => f.message).join(" ")).toMatch(/"name".*"kind".*"type".*"description"/s);
  });

  it.each([
    ["abc", /3 characters long/],
    ["ThisNameIsWayTooLongToBeValid", /29 characters long/],
    ["9Lives", /must start with a letter/],
    ["Bad!Name", /contains "!"/],
  ])("rejects name %s at the value", (name, message) => {
    const findings = check(withLines(`name: ${name}`, ...VALID.slice(1))).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: "manifest/name",
      line: 1,
      column: 7,
      endLine: 1,
      endColumn: 7 + name.length,
    });
    expect(findings[0]!.message).toMatch(message);
  });

  it("accepts names the seed regex allows, including spaces and $", () => {
    expect(check(withLines("name: My Encoder", ...VALID.slice(1))).findings).toEqual([]);
    expect(check(withLines("name: $Money_Maker", ...VALID.slice(1))).findings).toEqual([]);
  });

  it.each([
    ["v1.0.0", /without the leading v: "1.0.0"/],
    ["^1.0.0", /looks like a range/],
    ["1.0", /three parts/],
    ["01.0.0", /not strict SemVer/],
    ["1.0.0-rc.1+build.5", null],
  ])("checks version %s as written", (version, message) => {
    const findings = check(withLines(...VALID.slice(0, 4), `version: "${version}"`)).findings;
    if (message === null) return expect(findings).toEqual([]);
    expect(findings).toEqual([expect.objectContaining({ rule: "manifest/version", line: 5, column: 10 })]);
    expect(findings[0]!.message).toMatch(message);
  });

  it("tells to quote a version YAML reads as a number, keeping the text as written (1.10)", () => {
    const [finding] = check(withLines(...VALID.slice(0, 4), "version: 1.10")).findings;
    expect(finding).toMatchObject({ rule: "manifest/version", line: 5, column: 10 });
    expect(finding!.message).toContain("1.10 is read as a number");
    expect(finding!.message).toContain('"1.10.0"');
  });

  it("suggests the accepted license key for SPDX and case spellings", () => {
    const spellings = {
      "Apache-2.0": "apache-2.0",
      MIT: "mit",
      "GPL-3.0-only": "gpl-3.0",
      "BSD-3-Clause": "bsd-3-clause",
    };
    for (const [written, key] of Object.entries(spellings)) {
      const [finding] = check(withLines(...VALID, `license: ${written}`)).findings;
      expect(finding).toMatchObject({ rule: "manifest/license", line: 6, column: 10 });
      expect(finding!.message).toContain(`did you mean "${key}"`);
    }
  });

  it("checks type, url, documentation and keywords", () => {
    const text = withLines(
      "name: AwesomeEncoder",
      "kind: encoder",
      "type: service",
      "description: d",
      "url: nope",
      "documentation: also nope",
      "keywords: [a, 3]",
    );
    expect(only(text)).toEqual([
      { rule: "manifest/type", level: "error", line: 3, column: 7 },
      { rule: "manifest/url", level: "error", line: 5, column: 6 },
      { rule: "manifest/documentation", level: "error", line: 6, column: 16 },
      { rule: "manifest/keywords", level: "error", line: 7, column: 15 },
    ]);
  });

  it("warns about unknown keys at the key, with a did-you-mean, and accepts real hubs' keys", () => {
    const text = withLines(
      ...VALID,
      "licence: mit",
      "manifest_version: 1",
      "avatar: https://x.y/a.png",
      "platform: [linux/amd64]",
      "update: nightly",
    );
    const findings = check(text).findings;
    expect(findings).toEqual([
      expect.objectContaining({ rule: "manifest/unknown-key", level: "warning", line: 6, column: 1 }),
    ]);
    expect(findings[0]!.message).toContain('did you mean "license"');
  });

  it("reports YAML syntax errors at their position", () => {
    const findings = check("name: [unclosed\nkind: encoder\n").findings;
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule === "manifest/yaml")).toBe(true);
    expect(findings[0]!.line).toBeGreaterThanOrEqual(1);
  });

  it("reports duplicate keys at the second occurrence and still validates the rest", () => {
    const findings = only(withLines(...VALID, "name: Other", "license: nope"));
    expect(findings).toContainEqual({ rule: "manifest/duplicate-key", level: "error", line: 6, column: 1 });
    expect(findings).toContainEqual({ rule: "manifest/license", level: "error", line: 7, column: 10 });
  });

  it("rejects a document that is not a mapping", () => {
    expect(only("- just\n- a list\n")).toEqual([
      { rule: "manifest/not-mapping", level: "error", line: 1, column: 1 },
    ]);
    expect(only("just a string\n")[0]!.rule).toBe("manifest/not-mapping");
  });

  it("never expands an alias bomb", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
    ].join("\n");
    const findings = only(bomb);
    expect(findings).toEqual([{ rule: "manifest/alias-bomb", level: "error", line: 2, column: 8 }]);
  });

  it("refuses a huge file without parsing it", () => {
    const findings = check("description: " + "x".repeat(300 * 1024)).findings;
    expect(findings).toEqual([expect.objectContaining({ rule: "manifest/too-large", line: 1 })]);
  });
});
