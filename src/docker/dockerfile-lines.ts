/**
 * Where each Dockerfile instruction sits, so a failed build step becomes a finding on the
 * right line. The classic builder numbers instructions ("Step N/M : ...") in file order,
 * counting every instruction of every stage and any ARG before the first FROM.
 */
export interface DockerfileInstruction {
  /** Upper-cased, e.g. `RUN`. */
  keyword: string;
  /** 1-based first and last line (continuations span several). */
  line: number;
  endLine: number;
  /** Length of the last line, for an end column. */
  endLineLength: number;
  /** The instruction with continuations joined, as the builder prints it. */
  text: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(\S+)\s*$/;

/** The escape character: `\` unless a `# escape=` parser directive at the top says otherwise. */
function escapeCharacter(lines: readonly string[]): string {
  for (const line of lines) {
    const directive = DIRECTIVE.exec(line.trim());
    if (!directive) break;
    if (directive[1]?.toLowerCase() === "escape" && (directive[2] === "`" || directive[2] === "\\")) {
      return directive[2];
    }
  }
  return "\\";
}

export function parseDockerfileInstructions(source: string): DockerfileInstruction[] {
  const lines = source.split(/\r?\n/);
  const escape = escapeCharacter(lines);
  const instructions: DockerfileInstruction[] = [];
  let current: DockerfileInstruction | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment and blank lines never start an instruction, and the builder skips them
    // inside a continuation too.
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const continues = trimmed.endsWith(escape);
    const body = continues ? trimmed.slice(0, -1).trim() : trimmed;
    if (current) {
      current.text = `${current.text} ${body}`.trim();
      current.endLine = index + 1;
      current.endLineLength = raw.length;
    } else {
      current = {
        keyword: (/^\S+/.exec(body)?.[0] ?? "").toUpperCase(),
        line: index + 1,
        endLine: index + 1,
        endLineLength: raw.length,
        text: body,
      };
    }
    if (!continues) {
      instructions.push(current);
      current = undefined;
    }
  });
  if (current) instructions.push(current);
  return instructions;
}

export interface BuildStep {
  index: number;
  total: number;
  text: string;
}

/** Recognise the classic builder's "Step 3/8 : RUN make" progress line. */
export function parseStepLine(line: string): BuildStep | undefined {
  const match = /^Step (\d+)\/(\d+) : ?(.*)$/.exec(line.trim());
  if (!match) return undefined;
  return { index: Number(match[1]), total: Number(match[2]), text: match[3] ?? "" };
}

/**
 * The instruction a step refers to. Steps past the Dockerfile's own instructions are the
 * LABEL steps the engine appends for build labels: those are ours, so no instruction.
 */
export function instructionForStep(
  instructions: readonly DockerfileInstruction[],
  step: BuildStep,
): DockerfileInstruction | undefined {
  return instructions[step.index - 1];
}

/** A parse error names its line ("dockerfile parse error line 5: unknown instruction: FOO"). */
export function lineFromErrorMessage(message: string): number | undefined {
  const match = /\bline (\d+)\b/i.exec(message);
  return match ? Number(match[1]) : undefined;
}
