/**
 * The plain-text dialect's safety (CLI text output, CI logs): whatever a contributor wrote
 * (file and folder names, messages quoting the manifest, build and container logs) is shown
 * on one line, with no terminal control and no way to start a CI workflow command.
 */

// Matching control characters is the whole point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Control characters (ESC, CR, LF, NUL, C1, bidi overrides) as visible escapes: `\n`, `\x1b`, `\u202e`. */
export function plainValue(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Zero-width space: not white space to any CI runner, so a guarded line starts with it. */
const ZWSP = "\u200b";

/**
 * One output line that no CI system reads as a command: GitHub Actions (`::error::…` at the
 * start, leading white space allowed), Azure Pipelines (`##[…` at the start, `##vso[`
 * anywhere) and GitLab's collapsible sections (`section_start:`).
 */
export function guardLine(line: string): string {
  const guarded = line
    .replace(/##vso\[/gi, `##${ZWSP}vso[`)
    .replace(/section_(start|end):/g, `section_${ZWSP}$1:`);
  return /^\s*(::|##\[)/.test(guarded) ? `${ZWSP}${guarded}` : guarded;
}

/** Guard every line of a block of output. */
export function guardLines(text: string): string {
  return text
    .split("\n")
    .map((line) => guardLine(line))
    .join("\n");
}
