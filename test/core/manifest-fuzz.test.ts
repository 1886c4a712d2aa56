import fc from "fast-check";
import { stringify } from "yaml";
import { checkBundleStatic } from "../../src/core/check-bundle.js";
import { resolveHubConfig } from "../../src/core/hub-config.js";
import { checkManifestText } from "../../src/core/manifest-check.js";
import { isRuleId } from "../../src/core/rules.js";
import { checkVersionBump } from "../../src/core/version-rules.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

/**
 * Property-based fuzzing of manifest parsing and validation: whatever the text, the check
 * returns findings (known rules, sane positions) and never throws; each case has a time bound.
 * HUBGATE_FUZZ_RUNS raises the count for a longer local run.
 */
const RUNS = Number(process.env.HUBGATE_FUZZ_RUNS ?? 1500);
const PER_CASE_MS = 2000;
const FILE = "executors/encoders/Fuzz/manifest.yml";
const KEYS = [
  "name",
  "kind",
  "type",
  "version",
  "description",
  "author",
  "license",
  "url",
  "keywords",
  "update",
];

/** YAML-ish text from the tokens parsers stumble on. */
const token = fc.oneof(
  fc.constantFrom(...KEYS.map((k) => `${k}: `)),
  fc.constantFrom(
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    '"',
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "|",
    ">-",
    "---",
    "...",
    "? ",
    "%YAML 1.2",
    "<<: *a",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "  ",
    "\u0000",
    "\u001b",
    "\ufeff",
    "\u2028",
    "\ud800",
    "0.0.1",
    "99999999999999999999.0.0",
    "1e1000",
    "0x1F",
    "~",
    "null",
    "true",
    "AwesomeEncoder",
    "encoder",
    "pod",
  ),
  fc.string({ maxLength: 12 }),
);
const yamlish = fc.array(token, { maxLength: 80 }).map((parts) => parts.join(""));

/** Structured manifests, some valid, stringified and then cut or spliced. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie("node"), { maxKeys: 4 }),
  ),
})).node;
const manifestObject = fc.record(
  {
    name: fc.oneof(fc.constant("AwesomeEncoder"), fc.string({ maxLength: 25 })),
    kind: fc.oneof(fc.constant("encoder"), fc.string({ maxLength: 10 })),
    type: fc.constantFrom("pod", "app", "other"),
    version: fc.oneof(
      fc.constant("0.0.1"),
      fc
        .tuple(fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.nat(), fc.nat())
        .map(([a, b, c]) => `${a}.${b}.${c}`),
      fc.string({ maxLength: 12 }),
    ),
    description: fc.string({ maxLength: 40 }),
    author: fc.string({ maxLength: 20 }),
    license: fc.constantFrom("apache-2.0", "mit", "Apache-2.0", ""),
    keywords: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
    update: value,
  },
  { requiredKeys: [] },
);
const mutated = fc.tuple(manifestObject, fc.nat(), fc.nat(), yamlish).map(([object, cut, at, splice]) => {
  const text = stringify(object);
  const i = at % (text.length + 1);
  return (text.slice(0, i) + splice + text.slice(i)).slice(
    0,
    Math.max(1, text.length + splice.length - (cut % 8)),
  );
});

function checkOnce(text: string): void {
  const validator = manifestValidator();
  const result = checkManifestText(FILE, text, validator);
  for (const f of result.findings) {
    expect(isRuleId(f.rule)).toBe(true);
    expect(f.file).toBe(FILE);
    expect(f.line).toBeGreaterThanOrEqual(1);
    expect(f.column).toBeGreaterThanOrEqual(1);
    expect(f.message).not.toMatch(/Maximum call stack|RangeError|undefined is not/);
  }
  // And through the whole static check, with itself as the base (the bump rule runs).
  const whole = checkBundleStatic(
    {
      location: { root: "executors/encoders/Fuzz", kindsFolder: "encoders" } as never,
      entries: [
        { path: "Dockerfile", type: "file", size: 10 },
        { path: "manifest.yml", type: "file", size: text.length },
      ],
      manifestText: text,
      baseManifestText: text,
    },
    resolveHubConfig(),
    validator,
  );
  expect(["success", "failure"]).toContain(whole.result.conclusion);
}

describe("manifest parsing and validation under fuzzing", () => {
  it.each([
    ["YAML-ish token soup", yamlish],
    ["structured manifests, spliced", mutated],
    ["any string", fc.string({ unit: "binary", maxLength: 300 })],
  ])(
    "%s: never throws, only known rules",
    async (_, arbitrary) => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (text) => checkOnce(text)),
        { numRuns: RUNS, timeout: PER_CASE_MS, markInterruptAsFailure: true },
      );
    },
    300_000,
  );

  it("compares any two SemVer versions, however large, consistently", () => {
    const version = fc
      .tuple(
        fc.bigInt({ min: 0n, max: 2n ** 80n }),
        fc.bigInt({ min: 0n, max: 2n ** 80n }),
        fc.bigInt({ min: 0n, max: 2n ** 80n }),
        fc.option(fc.constantFrom("rc.1", "rc.2", "alpha", "1")),
      )
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ""}`);
    fc.assert(
      fc.property(version, version, (a, b) => {
        const ab = checkVersionBump(a, b).ok;
        const ba = checkVersionBump(b, a).ok;
        // Exactly one raises the other, unless they are equal (then neither does).
        expect(a === b ? !ab && !ba : ab !== ba).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
