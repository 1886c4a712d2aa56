import { existsSync } from "node:fs";
import { Ajv } from "ajv";
import { rule, type RuleId } from "../../src/core/rules.js";
import { finding } from "../../src/core/finding.js";
import type { CheckResult } from "../../src/core/result.js";
import { formatCodeQuality } from "../../src/cli/formats/codequality.js";
import { formatJunit } from "../../src/cli/formats/junit.js";
import { formatSarif } from "../../src/cli/formats/sarif.js";
import { CLI, runCli } from "../helpers/run-cli.js";

/**
 * GitLab's Code Quality report format, from its documentation ("Code Quality report format"):
 * a single JSON array; each object has at least description, check_name, fingerprint,
 * severity (info|minor|major|critical|blocker), location.path and location.lines.begin
 * (or location.positions.begin.line).
 */
const CODE_QUALITY_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    required: ["description", "check_name", "fingerprint", "severity", "location"],
    properties: {
      description: { type: "string", minLength: 1 },
      check_name: { type: "string", minLength: 1 },
      fingerprint: { type: "string", minLength: 1 },
      severity: { enum: ["info", "minor", "major", "critical", "blocker"] },
      location: {
        type: "object",
        required: ["path"],
        properties: {
          path: { type: "string", minLength: 1, not: { pattern: "^(/|\\./)" } },
          lines: {
            type: "object",
            required: ["begin"],
            properties: { begin: { type: "integer", minimum: 1 }, end: { type: "integer", minimum: 1 } },
          },
          positions: {
            type: "object",
            required: ["begin"],
            properties: {
              begin: {
                type: "object",
                required: ["line"],
                properties: { line: { type: "integer", minimum: 1 } },
              },
            },
          },
        },
        anyOf: [{ required: ["lines"] }, { required: ["positions"] }],
      },
    },
  },
};

/** The SARIF 2.1.0 fields every consumer relies on (not the full OASIS schema). */
const SARIF_SCHEMA = {
  type: "object",
  required: ["version", "runs"],
  properties: {
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name", "rules"],
                properties: {
                  name: { const: "hubgate" },
                  rules: { type: "array", items: { type: "object", required: ["id"] } },
                },
              },
            },
          },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["ruleId", "level", "message", "locations"],
              properties: {
                level: { enum: ["error", "warning", "note", "none"] },
                message: { type: "object", required: ["text"] },
                locations: {
                  type: "array",
                  minItems: 1,
                  items: {
                    type: "object",
                    required: ["physicalLocation"],
                    properties: {
                      physicalLocation: {
                        type: "object",
                        required: ["artifactLocation", "region"],
                        properties: {
                          artifactLocation: {
                            type: "object",
                            required: ["uri"],
                            properties: { uri: { type: "string", minLength: 1 } },
                          },
                          region: {
                            type: "object",
                            required: ["startLine"],
                            properties: {
                              startLine: { type: "integer", minimum: 1 },
                              startColumn: { type: "integer", minimum: 1 },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validCodeQuality = ajv.compile(CODE_QUALITY_SCHEMA);
const validSarif = ajv.compile(SARIF_SCHEMA);

// ------------------------------------------------------------------ a strict little XML reader

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const NAME = "[A-Za-z_:][A-Za-z0-9_:.-]*";

function decodeEntities(raw: string, where: string): string {
  if (/[<]/.test(raw)) throw new Error(`raw < in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, ref: string) => {
    if (!m.endsWith(";")) throw new Error(`unterminated entity in ${where}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ref in named) return named[ref]!;
    const num = /^#(\d+)$/.exec(ref) ?? /^#x([0-9a-fA-F]+)$/.exec(ref);
    if (!num) throw new Error(`unknown entity &${ref}; in ${where}`);
    const ch = String.fromCodePoint(parseInt(num[1]!, ref.startsWith("#x") ? 16 : 10));
    if (!XML_CHAR.test(ch)) throw new Error(`entity for a character XML 1.0 forbids in ${where}`);
    return ch;
  });
}

/** Parses the subset our report uses and throws on anything not well-formed XML 1.0. */
function parseXml(xml: string): XmlElement {
  if (!XML_CHAR.test(xml)) throw new Error("character not allowed in XML 1.0");
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!declaration) throw new Error("missing XML declaration");
  let rest = xml.slice(declaration[0].length);
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack = [root];
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
  while (rest.length) {
    const top = stack[stack.length - 1]!;
    if (rest.startsWith("<")) {
      const m = tag.exec(rest);
      if (!m) throw new Error(`malformed tag near ${JSON.stringify(rest.slice(0, 40))}`);
      const [whole, closing, name, attrText, selfClosing] = m;
      if (closing) {
        if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
        stack.pop();
      } else {
        const attrs: Record<string, string> = {};
        for (const a of attrText!.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, "g"))) {
          if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
          attrs[a[1]!] = decodeEntities(a[2]!, `attribute ${a[1]}`);
        }
        const el: XmlElement = { name: name!, attrs, children: [], text: "" };
        if (stack.length === 1 && root.children.length) throw new Error("two root elements");
        top.children.push(el);
        if (!selfClosing) stack.push(el);
      }
      rest = rest.slice(whole!.length);
    } else {
      const end = rest.indexOf("<");
      const raw = end < 0 ? rest : rest.slice(0, end);
      if (stack.length === 1 && raw.trim()) throw new Error("text outside the root element");
      top.text += decodeEntities(raw, `<${top.name}> text`);
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error("no root element");
  return root.children[0]!;
}

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

/** Every count attribute agrees with the testcases below it. */
function expectConsistentCounts(suites: XmlElement): void {
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of kids(suites, "testsuite")) {
    const cases = kids(suite, "testcase");
    const count = {
      tests: cases.length,
      failures: cases.filter((c) => kids(c, "failure").length).length,
      errors: cases.filter((c) => kids(c, "error").length).length,
      skipped: cases.filter((c) => kids(c, "skipped").length).length,
    };
    for (const key of Object.keys(count) as Array<keyof typeof count>) {
      expect(Number(suite.attrs[key])).toBe(count[key]);
      total[key] += count[key];
    }
  }
  for (const key of Object.keys(total) as Array<keyof typeof total>)
    expect(Number(suites.attrs[key])).toBe(total[key]);
}

// ------------------------------------------------------------------ a result with every case

const MANIFEST = "executors/encoders/Foo/manifest.yml";
const RESULT: CheckResult = {
  conclusion: "failure",
  findings: [finding("executors/stray.py", "error", "bundle/badly-placed", "outside any bundle")],
  bundles: [
    {
      path: "executors/encoders/Foo",
      kind: "encoder",
      name: "Foo",
      version: "1.0.0",
      image: "jinahub/pod.encoder.foo:1.0.0",
      conclusion: "failure",
      findings: [
        finding(MANIFEST, "error", "manifest/version", 'version "v1" <must> & "be" \'semver\'', {
          line: 5,
          column: 10,
          endLine: 5,
          endColumn: 12,
        }),
        finding(MANIFEST, "error", "manifest/version", 'version "v1" <must> & "be" \'semver\'', {
          line: 5,
          column: 10,
          endLine: 5,
          endColumn: 12,
        }),
        finding(MANIFEST, "warning", "manifest/unknown-key", "unknown key \u0000licence\u001b[0m", {
          line: 7,
          column: 1,
          endLine: 7,
          endColumn: 8,
        }),
        finding(MANIFEST, "notice", "publish/skipped", "a hint"),
      ],
      smoke: [
        { name: "run", passed: true, durationMs: 812 },
        {
          name: "pod",
          passed: false,
          durationMs: 60_000,
          reason: "not ready in 60 s",
          logTail: ["booting\u0007", "]]> <oops> &"],
        },
        { name: "replicas", passed: true, durationMs: 3000 },
      ],
      build: { imageId: "sha256:1", durationMs: 1000, tags: [], logTail: [] },
    },
    {
      path: "executors/encoders/Bar",
      conclusion: "success",
      findings: [],
      smoke: [],
      infrastructureError: "Docker daemon not reachable",
    },
    { path: "executors/encoders/Ok", conclusion: "success", findings: [], smoke: [] },
  ],
};

describe("--format codequality", () => {
  const issues = JSON.parse(formatCodeQuality(RESULT)) as Array<
    Record<string, unknown> & { fingerprint: string; severity: string; check_name: string }
  >;

  it("matches GitLab's Code Quality report format", () => {
    expect(validCodeQuality(issues)).toBe(true);
    expect(validCodeQuality.errors ?? []).toEqual([]);
  });

  it("maps levels to severities, adds failed smoke tests, leaves infrastructure problems out", () => {
    expect(issues.map((i) => [i.check_name, i.severity])).toEqual([
      ["bundle/badly-placed", "major"],
      ["manifest/version", "major"],
      ["manifest/version", "major"],
      ["manifest/unknown-key", "minor"],
      ["publish/skipped", "info"],
      ["smoke/pod", "major"],
    ]);
    expect(issues[5]).toMatchObject({
      location: { path: "executors/encoders/Foo/Dockerfile", lines: { begin: 1 } },
    });
    expect(JSON.stringify(issues)).not.toContain("Docker daemon");
  });

  it("fingerprints are unique within a report and stable across runs", () => {
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    const again = JSON.parse(formatCodeQuality(RESULT)) as typeof issues;
    expect(again.map((i) => i.fingerprint)).toEqual(issues.map((i) => i.fingerprint));
    expect(issues[1]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("--format junit", () => {
  const xml = formatJunit(RESULT);
  const suites = parseXml(xml);

  it("is well-formed XML 1.0 with consistent counts", () => {
    expect(suites.name).toBe("testsuites");
    expectConsistentCounts(suites);
    expect(suites.attrs).toMatchObject({ tests: "13", failures: "3", errors: "4", skipped: "3" });
  });

  it("has one suite per bundle with the static check and the three smoke tests", () => {
    expect(kids(suites, "testsuite").map((s) => s.attrs.name)).toEqual([
      "outside any bundle",
      "executors/encoders/Foo",
      "executors/encoders/Bar",
      "executors/encoders/Ok",
    ]);
    const foo = kids(suites, "testsuite")[1]!;
    expect(kids(foo, "testcase").map((c) => c.attrs.name)).toEqual([
      "static check (files and manifest.yml)",
      "smoke test run",
      "smoke test pod",
      "smoke test replicas",
    ]);
    const failure = kids(kids(foo, "testcase")[0]!, "failure")[0]!;
    expect(failure.attrs.message).toBe('2 errors: version "v1" <must> & "be" \'semver\'');
    expect(failure.text).toContain(`${MANIFEST}:5:10: error:`);
    const pod = kids(kids(foo, "testcase")[2]!, "failure")[0]!;
    expect(pod.attrs.message).toBe("not ready in 60 s");
    expect(pod.text).toBe("booting\n]]> <oops> &");
    expect(kids(foo, "testcase")[2]!.attrs.time).toBe("60.000");
  });

  it("strips characters XML 1.0 forbids; infrastructure problems are errors, not failures", () => {
    for (const c of ["\u0000", "\u0007", "\u001b"]) expect(xml).not.toContain(c);
    const bar = kids(suites, "testsuite")[2]!;
    expect(Number(bar.attrs.failures)).toBe(0);
    expect(Number(bar.attrs.errors)).toBeGreaterThan(0);
    expect(kids(kids(bar, "testcase")[0]!, "error")[0]!.attrs.message).toContain(
      "Docker daemon not reachable",
    );
    const ok = kids(suites, "testsuite")[3]!;
    expect(kids(kids(ok, "testcase")[1]!, "skipped")[0]!.attrs.message).toContain("--build");
  });

  it("says why nothing was checked, as a skipped case", () => {
    const message = "0 bundles checked: only deleted bundles.";
    const empty = parseXml(
      formatJunit({
        conclusion: "success",
        bundles: [],
        findings: [],
        nothingChecked: { reason: "only-deleted-bundles", message },
      }),
    );
    expectConsistentCounts(empty);
    expect(empty.attrs).toMatchObject({ tests: "1", failures: "0", errors: "0", skipped: "1" });
    const [testcase] = kids(kids(empty, "testsuite")[0]!, "testcase");
    expect(kids(testcase!, "skipped")[0]!.attrs.message).toBe(message);
  });

  it("the checker itself rejects broken XML", () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>';
    expect(() => parseXml(`${head}<a><b></a>`)).toThrow();
    expect(() => parseXml(`${head}<a x="1 < 2"/>`)).toThrow();
    expect(() => parseXml(`${head}<a>&nbsp;</a>`)).toThrow();
    expect(() => parseXml(`${head}<a>\u0001</a>`)).toThrow();
  });
});

describe("--format sarif", () => {
  const log = JSON.parse(formatSarif(RESULT)) as {
    runs: Array<{
      tool: {
        driver: {
          rules: Array<{ id: string; shortDescription: { text: string }; fullDescription: { text: string } }>;
        };
      };
      results: Array<{
        ruleId: string;
        ruleIndex: number;
        level: string;
        locations: Array<{ physicalLocation: { region: Record<string, number> } }>;
      }>;
      invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: unknown[] }>;
    }>;
  };

  it("has the SARIF 2.1.0 fields consumers need", () => {
    expect(validSarif(log)).toBe(true);
    expect(validSarif.errors ?? []).toEqual([]);
  });

  it("one rule per rule id, results pointing at regions with exclusive end columns", () => {
    const run = log.runs[0]!;
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of run.results) expect(ids[r.ruleIndex]).toBe(r.ruleId);
    const version = run.results.find((r) => r.ruleId === "manifest/version")!;
    expect(version.locations[0]!.physicalLocation.region).toEqual({
      startLine: 5,
      startColumn: 10,
      endLine: 5,
      endColumn: 12,
    });
    expect(run.results.find((r) => r.ruleId === "publish/skipped")!.level).toBe("note");
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: false });
    expect(run.invocations[0]!.toolExecutionNotifications).toHaveLength(1);
  });

  it("describes each rule from the catalogue: no two manifest rules share a description", () => {
    const rules = log.runs[0]!.tool.driver.rules;
    for (const r of rules) {
      expect(r.shortDescription.text).toBe(rule(r.id as RuleId).title);
      expect(r.fullDescription.text).toBe(rule(r.id as RuleId).help);
    }
    const manifestRules = rules.filter((r) => r.id.startsWith("manifest/"));
    expect(manifestRules.length).toBeGreaterThan(1);
    expect(new Set(manifestRules.map((r) => r.shortDescription.text)).size).toBe(manifestRules.length);
  });

  it("says why nothing was checked, so an empty result list is not read as a clean bill", () => {
    const message = "0 bundles checked: no bundle changed (1 changed file, none in a bundle).";
    const empty = JSON.parse(
      formatSarif({
        conclusion: "success",
        bundles: [],
        findings: [],
        nothingChecked: { reason: "no-bundle-changed", message },
      }),
    ) as typeof log;
    expect(validSarif(empty)).toBe(true);
    expect(empty.runs[0]!.invocations[0]).toEqual({
      executionSuccessful: true,
      toolExecutionNotifications: [{ level: "note", message: { text: message } }],
    });
  });
});

describe("the built CLI on examples/ with each format", () => {
  let expected: { findings: unknown[]; bundles: Array<{ path: string; findings: Array<{ level: string }> }> };
  let findingCount = 0;

  beforeAll(() => {
    // `npm test` builds dist/ first; run `npx tsc -p tsconfig.build.json` before running this file alone.
    if (!existsSync(CLI.replace(/main\.js$/, "formats/codequality.js"))) {
      throw new Error("dist/ is not built: run npx tsc -p tsconfig.build.json");
    }
    expected = JSON.parse(runCli(["check", "examples", "--format", "json"]).stdout) as typeof expected;
    findingCount = expected.findings.length + expected.bundles.reduce((n, b) => n + b.findings.length, 0);
  });

  it("codequality: a valid report, exit 1, paths relative to the repository root", () => {
    const { code, stdout } = runCli(["check", "examples", "--format", "codequality"]);
    expect(code).toBe(1);
    const issues = JSON.parse(stdout) as Array<{ location: { path: string }; check_name: string }>;
    expect(validCodeQuality(issues)).toBe(true);
    expect(issues).toHaveLength(findingCount);
    expect(issues.map((i) => i.location.path)).toContain(
      "examples/executors/crafters/BrokenCrafter/manifest.yml",
    );
  });

  it("junit: well-formed, one suite per bundle plus the badly placed file", () => {
    const { code, stdout } = runCli(["check", "examples", "--format", "junit"]);
    expect(code).toBe(1);
    const suites = parseXml(stdout);
    expectConsistentCounts(suites);
    expect(kids(suites, "testsuite").map((s) => s.attrs.name)).toEqual([
      "outside any bundle",
      ...expected.bundles.map((b) => b.path),
    ]);
    const withErrors = expected.bundles.filter((b) => b.findings.some((f) => f.level === "error"));
    expect(Number(suites.attrs.failures)).toBe(1 + withErrors.length);
  });

  it("sarif: valid, one result per finding", () => {
    const { code, stdout } = runCli(["check", "examples", "--format", "sarif"]);
    expect(code).toBe(1);
    const log = JSON.parse(stdout) as { runs: Array<{ results: unknown[] }> };
    expect(validSarif(log)).toBe(true);
    expect(log.runs[0]!.results).toHaveLength(findingCount);
  });

  it("a clean bundle gives an empty Code Quality report and exit 0", () => {
    const { code, stdout } = runCli([
      "check",
      "examples/executors/encoders/AwesomeEncoder",
      "--format",
      "codequality",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });
});
