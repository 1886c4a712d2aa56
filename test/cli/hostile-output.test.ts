import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatText, PLAIN } from "../../src/cli/formats/text.js";
import { CLI, ROOT } from "../helpers/run-cli.js";

/** Nothing a contributor names or prints can steer a terminal or a CI runner through our text output. */
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const WORKFLOW_COMMAND = /^\s*(::|##\[)|##vso\[/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("text output neutralises what contributors control", () => {
  let hub: string;
  beforeEach(() => {
    hub = mkdtempSync(join(tmpdir(), "hubgate-hostile-output-"));
  });
  afterEach(() => rmSync(hub, { recursive: true, force: true }));

  it("folder names with workflow commands, ESC, CR and newlines print as inert single lines (spawned CLI)", () => {
    const names = [
      "::error file=x::pwned",
      "##[error]pwned",
      "a\u001b[2Jb",
      "x\r::warning::y",
      "n\n::error::z",
      "v ##vso[task.setvariable variable=x]1",
    ];
    for (const name of names) {
      const dir = join(hub, "executors/encoders", name);
      mkdirSync(dir, { recursive: true });
      cpSync(AWESOME, dir, { recursive: true });
      writeFileSync(
        join(dir, "manifest.yml"),
        readFileSync(join(AWESOME, "manifest.yml"), "utf8").replace(
          "license: apache-2.0",
          "license: ::error::bad",
        ),
      );
    }
    const run = spawnSync(process.execPath, [CLI, "check", "."], {
      cwd: hub,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines.filter((l) => WORKFLOW_COMMAND.test(l))).toEqual([]);
    expect(lines.filter((l) => CONTROL.test(l))).toEqual([]);
    expect(run.stdout).toContain("executors/encoders/a\\x1b[2Jb");
    expect(run.stdout).toContain("executors/encoders/n\\n::error::z");
    expect(run.stdout).toMatch(/6 bundles checked/);
  });

  it("guards container log lines and multi-line messages too", () => {
    const text = formatText(
      {
        conclusion: "failure",
        findings: [],
        bundles: [
          {
            path: "executors/encoders/X",
            conclusion: "failure",
            findings: [
              {
                file: "executors/encoders/X/Dockerfile",
                line: 2,
                column: 1,
                endLine: 2,
                endColumn: 1,
                level: "error",
                rule: "build/failed",
                message:
                  "the image build failed\nLast build output:\n::error::from the build\n##[group]x\r\u001b]0;title\u0007",
              },
            ],
            smoke: [
              {
                name: "run",
                passed: false,
                durationMs: 1,
                reason: "exited\n::error::x",
                logTail: ["::add-mask::x", "  ::error::y", "##vso[task.complete]"],
              },
            ],
          },
        ],
      },
      PLAIN,
    );
    for (const line of text.split("\n")) {
      expect(line).not.toMatch(WORKFLOW_COMMAND);
      expect(line).not.toMatch(CONTROL);
    }
    expect(text).toContain("from the build");
  });
});
