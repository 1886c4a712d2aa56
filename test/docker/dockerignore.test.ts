import { parseDockerIgnore } from "../../src/docker/dockerignore.js";

/** The matcher follows the Docker CLI (moby patternmatcher), checked case by case. */
const ignores = (source: string, path: string) => parseDockerIgnore(source).ignores(path);

test.each([
  ["*.log", "debug.log", true],
  ["*.log", "logs/debug.log", false], // `*` stays within one segment, anchored at the root
  ["**/*.log", "logs/deep/debug.log", true],
  ["**/*.log", "debug.log", true],
  ["data", "data/big.bin", true], // a folder pattern excludes what is inside
  ["data/", "data/big.bin", true],
  ["/data", "data/big.bin", true],
  ["./data", "data", true],
  ["dat?", "data", true],
  ["dat?", "dates", false],
  ["[a-c]at", "bat", true],
  ["[!a-c]at", "rat", true],
  ["[!a-c]at", "bat", false],
  ["docs/**", "docs/a/b.md", true],
  ["**", "anything/at/all", true],
  ["a/**/z", "a/z", true],
  ["a/**/z", "a/b/c/z", true],
  ["file\\*name", "file*name", true],
  ["file\\*name", "fileXname", false],
  ["model.bin", "model.binary", false],
  ["a+b", "a+b", true],
])("%s vs %s → %s", (pattern, path, expected) => {
  expect(ignores(pattern, path)).toBe(expected);
});

test("comments, blank lines and surrounding spaces are ignored", () => {
  const matcher = parseDockerIgnore("# a comment\n\n   *.tmp   \r\n#*.log\n");
  expect(matcher.ignores("x.tmp")).toBe(true);
  expect(matcher.ignores("#x.log")).toBe(false);
  expect(matcher.ignores("x.log")).toBe(false);
});

test("the last matching pattern wins; ! re-includes", () => {
  const matcher = parseDockerIgnore("*.md\n!README.md\nREADME*\n");
  expect(matcher.ignores("NOTES.md")).toBe(true);
  expect(matcher.ignores("README.md")).toBe(true);
  const reincluded = parseDockerIgnore("data\n!data/keep.txt\n");
  expect(reincluded.ignores("data/drop.bin")).toBe(true);
  expect(reincluded.ignores("data/keep.txt")).toBe(false);
  expect(reincluded.hasExceptions).toBe(true);
});

test("an empty file ignores nothing", () => {
  const matcher = parseDockerIgnore("");
  expect(matcher.ignores("anything")).toBe(false);
  expect(matcher.hasExceptions).toBe(false);
});
