import {
  instructionForStep,
  lineFromErrorMessage,
  parseDockerfileInstructions,
  parseStepLine,
} from "../../src/docker/dockerfile-lines.js";

const DOCKERFILE = [
  "# syntax and comments are not instructions",
  "ARG BASE=busybox",
  "FROM ${BASE}",
  "",
  "RUN apt-get update \\",
  "    # a comment inside a continuation",
  "    && apt-get install -y curl   \\   ",
  "    && rm -rf /var/lib/apt/lists/*",
  "COPY . /app",
  '  CMD ["run"]',
].join("\n");

test("instructions carry their first and last lines, continuations joined", () => {
  const instructions = parseDockerfileInstructions(DOCKERFILE);
  expect(instructions.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
    ["ARG", 2, 2],
    ["FROM", 3, 3],
    ["RUN", 5, 8],
    ["COPY", 9, 9],
    ["CMD", 10, 10],
  ]);
  expect(instructions[2]?.text).toBe(
    "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
  );
});

test("the escape directive changes the continuation character", () => {
  const source = "# escape=`\nFROM windows\nRUN dir c:\\ `\n    && echo done\nCMD x\\\n";
  expect(parseDockerfileInstructions(source).map((i) => [i.keyword, i.line, i.endLine])).toEqual([
    ["FROM", 2, 2],
    ["RUN", 3, 4],
    ["CMD", 5, 5],
  ]);
});

test("CRLF line endings and a continuation at end of file", () => {
  const instructions = parseDockerfileInstructions("FROM a\r\nRUN b \\\r\n");
  expect(instructions.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
    ["FROM", 1, 1],
    ["RUN", 2, 2],
  ]);
});

test("classic builder step lines map to instructions; appended label steps map to none", () => {
  const instructions = parseDockerfileInstructions(DOCKERFILE);
  const step = parseStepLine("Step 3/12 : RUN apt-get update     && apt-get install -y curl");
  expect(step).toEqual({ index: 3, total: 12, text: "RUN apt-get update     && apt-get install -y curl" });
  expect(instructionForStep(instructions, step!)?.line).toBe(5);
  expect(
    instructionForStep(instructions, parseStepLine("Step 7/12 : LABEL dev.hubgate.managed=true")!),
  ).toBeUndefined();
  expect(parseStepLine(" ---> Running in 3e9d923a4af7")).toBeUndefined();
});

test("a parse error names its line", () => {
  expect(lineFromErrorMessage("dockerfile parse error line 5: unknown instruction: FOO")).toBe(5);
  expect(lineFromErrorMessage("COPY failed: file not found")).toBeUndefined();
});
