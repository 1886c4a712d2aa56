import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  readFastYamlDocument,
  readFullYamlDocument,
  type YamlDocument,
} from "../../src/core/yaml-document.js";
import { normaliseLineBreaks, yamlPreflight } from "../../src/core/yaml-positions.js";

// The fast reader must give exactly what the `yaml` package gives for every text it accepts:
// the same data, the same source text of each scalar, the same position of every key and
// value (so findings keep their lines). It may refuse anything; it must not be wrong.

/** Every path into the document's data (keys and list items), plus a few that are not there. */
function paths(data: unknown): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [[], ["missing"], ["name", 0]];
  if (data && typeof data === "object" && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      out.push([key], [key, 99]);
      if (Array.isArray(value)) value.forEach((_, i) => out.push([key, i], [key, String(i)]));
    }
  }
  return out;
}

function expectSame(text: string, fast: YamlDocument): void {
  const full = readFullYamlDocument(text);
  expect(full.problems()).toEqual([]);
  expect(fast.problems()).toEqual([]);
  expect(full.isMapping()).toBe(true);
  expect(fast.isMapping()).toBe(true);
  const data = full.toJS(50);
  expect(fast.toJS(50)).toStrictEqual(data);
  for (const path of paths(data)) {
    expect([path, fast.locate(path, "value")]).toEqual([path, full.locate(path, "value")]);
    expect([path, fast.locate(path, "key")]).toEqual([path, full.locate(path, "key")]);
    expect([path, fast.sourceText(path)]).toEqual([path, full.sourceText(path)]);
  }
}

/** Characters that matter to YAML, and some that do not. */
const tricky = fc.constantFrom(..."aZ09 _-.:#,[]{}&*!|>%@`~'\"\\\t?=+/()é✓€");
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .()@/-]{0,12}$/);
const scalarText = fc.oneof(
  word,
  fc.string({ unit: tricky, maxLength: 10 }),
  fc.constantFrom(
    "0.0.1",
    "1.5",
    "1e3",
    "-1",
    "+2",
    "0x1F",
    "0o7",
    ".inf",
    "-.Inf",
    ".nan",
    "true",
    "False",
    "NULL",
    "~",
    "null",
    "01",
    "-0",
    "1.",
    ".5",
    "1_000",
    "yes",
    "https://jina.ai",
    "a: b",
    "a:",
    "x #y",
    "x#y",
    "Jina AI (dev@jina.ai)",
    "",
    " ",
    "9007199254740993",
    "1.0.0-rc.1+build.5",
  ),
);
const neatComment = fc.constantFrom("", " # note", "  #x");
const anyComment = fc.constantFrom("", " # note", "  #x", "#x");
const spaces = fc.constantFrom("", " ", "  ");
const quoted = (text: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: text },
    { weight: 1, arbitrary: text.map((s) => `"${s}"`) },
    { weight: 1, arbitrary: text.map((s) => `'${s.replace(/'/g, "''")}'`) },
  );
const flowSeq = (scalar: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.array(fc.tuple(spaces, scalar, spaces), { maxLength: 4 }), fc.constantFrom(",", ", ", " ,"))
    .map(([items, sep]) => `[${items.map(([a, s, b]) => `${a}${s}${b}`).join(sep)}]`);
const commonKey = fc.constantFrom(
  "name",
  "kind",
  "version",
  "description",
  "keywords",
  "url",
  "license",
  "tags",
  "a-b",
  "x_1",
);
const oddKey = fc.oneof(
  fc.constantFrom("null", "true", "Name", "__proto__", "1", "-a", "a b", "a.b"),
  fc.stringMatching(/^[a-z_][a-z0-9_-]{0,6}$/),
);
const interlude = fc.constantFrom("", "# comment", "   # indented comment", "  ");
const refused = fc.constantFrom(
  "  continued line",
  "---",
  "a: &x 1",
  "b: *x",
  "c: !!str 1",
  "d: |\n  block",
  "e:\n  nested: map",
  "- item",
  "f: x\n  more",
  "g: [a,\n  b]",
  "\ttab: 1",
  "h: {a: 1}",
  'i: "a\\tb"',
);

/** A manifest built from `key` and `scalar` pieces, with comments and blank lines between. */
function manifestOf(key: fc.Arbitrary<string>, scalar: fc.Arbitrary<string>, hostile: boolean) {
  const comment = hostile ? anyComment : neatComment;
  const entry = (key: string) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(
            fc.constant(key),
            fc.constantFrom(" ", "  ", ...(hostile ? [""] : [])),
            fc.oneof(scalar, flowSeq(scalar)),
            comment,
            spaces,
          )
          .map(([k, s, v, c, t]) => `${k}:${s}${v}${c}${t}`),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constant(key),
            comment,
            fc.constantFrom("", "  ", "    ", " "),
            fc.array(fc.tuple(scalar, comment), { maxLength: 4 }),
            fc.boolean(),
            interlude,
          )
          .map(([k, c, indent, items, gap, after]) =>
            [
              `${k}:${c}`,
              ...items.map(([v, ic], i) => `${gap && i === 1 ? "\n" : ""}${indent}- ${v}${ic}`),
              ...(after ? [after] : []),
            ].join("\n"),
          ),
      },
      { weight: 1, arbitrary: interlude.map((i) => `${i}\n${key}: x`) },
      ...(hostile ? [{ weight: 1, arbitrary: refused }] : []),
    );
  // Keys mostly unique, as in a valid manifest (a repeated one is refused by the fast reader).
  const keys = hostile
    ? fc.array(key, { minLength: 1, maxLength: 10 })
    : fc.uniqueArray(key, { minLength: 1, maxLength: 10 });
  return fc
    .tuple(
      keys.chain((ks) => fc.tuple(...ks.map(entry))),
      fc.boolean(),
    )
    .map(([entries, newline]) => entries.join("\n") + (newline ? "\n" : ""));
}

/** Manifests as people write them: the fast reader should take most. */
const realistic = manifestOf(
  commonKey,
  quoted(
    fc.oneof(
      word,
      fc.constantFrom(
        "0.0.1",
        "1.5",
        "-1",
        "true",
        "null",
        "~",
        "https://jina.ai",
        "Jina AI (dev@jina.ai)",
        "apache-2.0",
        "1e3",
      ),
    ),
  ),
  false,
);
/** Anything near the subset's edges: the fast reader may refuse, never differ. */
const hostile = manifestOf(fc.oneof(commonKey, oddKey), quoted(scalarText), true);

function compareOn(arbitrary: fc.Arbitrary<string>, runs: number): number {
  let accepted = 0;
  fc.assert(
    fc.property(arbitrary, (text) => {
      if (yamlPreflight(text)) return;
      const fast = readFastYamlDocument(text);
      if (!fast) return;
      accepted++;
      expectSame(text, fast);
    }),
    { numRuns: runs },
  );
  return accepted / runs;
}

describe("the fast YAML reader agrees with the yaml package", () => {
  it("on generated manifests as people write them (data, source text and every position)", () => {
    // Not a vacuous pass: most of these take the fast path.
    expect(compareOn(realistic, 1500)).toBeGreaterThan(0.4);
  });

  it("on generated manifests near the edges of what it reads", () => {
    compareOn(hostile, 6000);
  });

  it("on the real manifests of the jina-hub fixture and the examples", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name === "manifest.yml" || name === ".hubgate.yml") files.push(path);
      }
    };
    walk("test/fixtures/jina-hub");
    walk("examples");
    expect(files.length).toBeGreaterThan(100);
    let accepted = 0;
    for (const file of files) {
      const text = normaliseLineBreaks(readFileSync(file, "utf8"));
      const fast = readFastYamlDocument(text);
      if (!fast) continue;
      accepted++;
      expectSame(text, fast);
    }
    expect(accepted).toBeGreaterThan(files.length / 3);
  });
});
