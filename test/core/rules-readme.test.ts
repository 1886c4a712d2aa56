import { readFileSync } from "node:fs";
import { allRules } from "../../src/core/rules.js";
import { ROOT } from "../helpers/run-cli.js";

const START =
  "<!-- rules table: generated from src/core/rules.ts, kept in step by test/core/rules-readme.test.ts -->";
const END = "<!-- end of rules table -->";

/** The README's rules table as the catalogue says it should be. */
function rulesTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = allRules().map(
    (r) =>
      `| \`${r.id}\` | ${r.level} | ${r.checklist ?? "—"} | **${cell(r.title)}.** ${cell(r.help)} | ${cell(r.fix)} |`,
  );
  return [
    "| rule | level | checklist | what | how to fix |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

describe("README rules table", () => {
  it("lists every rule of the catalogue, as the catalogue says", () => {
    const readme = readFileSync(`${ROOT}/README.md`, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const table = readme.slice(start + START.length, end).trim();
    // On failure, paste the expected table between the markers.
    expect(table).toBe(rulesTable());
  });
});
