import type { Finding } from "../../core/finding.js";
import type { NothingChecked } from "../../core/nothing-checked.js";
import type { BundleResult, CheckResult, SmokeTestName } from "../../core/result.js";
import { ruleChecklist, smokeRule, type RuleId } from "../../core/rules.js";
import { outsideVerdict } from "../../report/report-model.js";
import { xmlAttr, xmlText } from "../../report/xml-text.js";

/**
 * JUnit XML (`artifacts:reports:junit`): one testsuite per bundle with a testcase for the
 * static check and one per smoke test. A contributor's problem is a <failure>; a problem on
 * our side is an <error>, which GitLab's test report shows apart from failures.
 */

const SMOKE_TESTS: SmokeTestName[] = ["run", "pod", "replicas"];

/** A JUnit failure type: the rule's checklist item (the category), then the rule id. */
export function junitCategory(id: RuleId): string {
  const item = ruleChecklist(id);
  return item ? `${item}: ${id}` : id;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
const findingLine = (f: Finding) => `${f.file}:${f.line}:${f.column}: ${f.level}: ${f.message} [${f.rule}]`;

interface Case {
  name: string;
  classname: string;
  file?: string;
  timeMs: number;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; body: string };
  skipped?: string;
  out?: string;
}

function staticCase(bundle: BundleResult): Case {
  const errors = bundle.findings.filter((f) => f.level === "error");
  const others = bundle.findings.filter((f) => f.level !== "error");
  const c: Case = {
    name: "static check (files and manifest.yml)",
    classname: bundle.path,
    file: `${bundle.path}/manifest.yml`,
    timeMs: 0,
  };
  if (errors.length) {
    // The failure's type is the catalogue's checklist item of the first error (JUnit viewers
    // group by it); each line still names its own rule.
    const first = errors[0]!;
    c.failure = {
      message: `${errors.length} error${errors.length === 1 ? "" : "s"}: ${first.message}`,
      type: junitCategory(first.rule),
      body: errors.map(findingLine).join("\n"),
    };
  }
  if (others.length) c.out = others.map(findingLine).join("\n");
  return c;
}

function smokeCases(bundle: BundleResult): Case[] {
  const staticFailed = bundle.findings.some((f) => f.level === "error");
  return SMOKE_TESTS.map((name) => {
    const c: Case = { name: `smoke test ${name}`, classname: bundle.path, timeMs: 0 };
    const s = bundle.smoke.find((r) => r.name === name);
    if (s) {
      c.timeMs = s.durationMs;
      if (!s.passed) {
        c.failure = {
          message: s.reason ?? "failed",
          type: junitCategory(smokeRule(name)),
          body: (s.logTail ?? []).join("\n"),
        };
      }
    } else if (bundle.infrastructureError) {
      c.error = {
        message: `not finished: infrastructure problem on hubgate's side: ${bundle.infrastructureError}`,
        body: "",
      };
    } else {
      c.skipped = staticFailed
        ? "not run: the static check failed"
        : "not run: build with `hubgate check --build`";
    }
    return c;
  });
}

function outsideSuite(findings: readonly Finding[]): Case[] {
  if (findings.length === 0) return [];
  const errors = findings.filter((f) => f.level === "error");
  const verdict = outsideVerdict(findings);
  return [
    {
      name: "every changed file is inside a bundle",
      classname: "outside any bundle",
      timeMs: 0,
      ...(errors.length
        ? {
            failure: {
              message: `${verdict.title}: ${verdict.headline}`,
              type: junitCategory(errors[0]!.rule),
              body: errors.map(findingLine).join("\n"),
            },
          }
        : {}),
      out:
        findings
          .filter((f) => f.level !== "error")
          .map(findingLine)
          .join("\n") || undefined,
    },
  ];
}

/** "0 bundles checked" says why here too: a skipped case, which test reports show with its reason. */
function nothingCheckedCase(nothing: NothingChecked): Case[] {
  return [{ name: "0 bundles checked", classname: "nothing checked", timeMs: 0, skipped: nothing.message }];
}

function renderCase(c: Case): string {
  const attrs = `name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}"${c.file ? ` file="${xmlAttr(c.file)}"` : ""} time="${seconds(c.timeMs)}"`;
  const inner: string[] = [];
  if (c.failure)
    inner.push(
      `<failure message="${xmlAttr(c.failure.message)}" type="${xmlAttr(c.failure.type)}">${xmlText(c.failure.body)}</failure>`,
    );
  if (c.error)
    inner.push(
      `<error message="${xmlAttr(c.error.message)}" type="infrastructure">${xmlText(c.error.body)}</error>`,
    );
  if (c.skipped) inner.push(`<skipped message="${xmlAttr(c.skipped)}"/>`);
  if (c.out) inner.push(`<system-out>${xmlText(c.out)}</system-out>`);
  if (inner.length === 0) return `    <testcase ${attrs}/>`;
  return [`    <testcase ${attrs}>`, ...inner.map((l) => `      ${l}`), "    </testcase>"].join("\n");
}

function renderSuite(
  name: string,
  cases: Case[],
): { xml: string; tests: number; failures: number; errors: number; skipped: number; timeMs: number } {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const timeMs = cases.reduce((sum, c) => sum + c.timeMs, 0);
  const head = `  <testsuite name="${xmlAttr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(timeMs)}">`;
  return {
    xml: [head, ...cases.map(renderCase), "  </testsuite>"].join("\n"),
    tests: cases.length,
    failures,
    errors,
    skipped,
    timeMs,
  };
}

export function formatJunit(result: CheckResult): string {
  const suites = [
    ...(result.nothingChecked
      ? [renderSuite("nothing checked", nothingCheckedCase(result.nothingChecked))]
      : []),
    ...(result.findings.length ? [renderSuite("outside any bundle", outsideSuite(result.findings))] : []),
    ...result.bundles.map((b) => {
      const cases = [staticCase(b), ...smokeCases(b)];
      // Reading the bundle itself failed on our side: the static check did not really run.
      if (b.infrastructureError && b.findings.length === 0 && b.smoke.length === 0) {
        cases[0] = {
          ...cases[0]!,
          error: {
            message: `not finished: infrastructure problem on hubgate's side: ${b.infrastructureError}`,
            body: "",
          },
        };
      }
      return renderSuite(b.path, cases);
    }),
  ];
  const total = (key: "tests" | "failures" | "errors" | "skipped") =>
    suites.reduce((sum, s) => sum + s[key], 0);
  const time = suites.reduce((sum, s) => sum + s.timeMs, 0);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="hubgate" tests="${total("tests")}" failures="${total("failures")}" errors="${total("errors")}" skipped="${total("skipped")}" time="${seconds(time)}">`,
    ...suites.map((s) => s.xml),
    `</testsuites>`,
    "",
  ].join("\n");
}
