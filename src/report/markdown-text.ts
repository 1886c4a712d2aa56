/**
 * Text safety for every platform's reports: whatever a contributor wrote (messages, file
 * names, logs) is rendered inert — no HTML, Markdown, mentions or cross-references.
 */

const ZWJ = "\u200d";

/**
 * ANSI colour sequences, C0/C1 controls (except tab and newline) and bidirectional overrides:
 * a log line must not repaint the page or reorder text to hide what it says.
 */
export function stripControl(text: string): string {
  return text.replace(ANSI_SEQUENCE, "").replace(INVISIBLE_CONTROL, "");
}

// Matching control characters is the whole point of these two patterns.
/* eslint-disable no-control-regex */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;
const INVISIBLE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * Break the sigils platforms turn into mentions and cross-references (@user, #1, !2, ~label,
 * %milestone, $snippet, &epic, ^ and bare URLs) with a zero-width joiner: reference filters
 * run on rendered text, where a backslash escape is already gone, so only a character in
 * between stops them. Readers see the same text.
 */
export function neutralizeReferences(text: string): string {
  return text.replace(/([@#!~%$&^])(?=[^\s])/g, `$1${ZWJ}`).replace(/:\/\//g, `:${ZWJ}//`);
}

const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+\-!|~$^]/g;

/**
 * Untrusted text (finding messages, file names, reasons) as one line of inert Markdown:
 * no emphasis, links, images, HTML, tables breaking, headings, mentions or references.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = stripControl(text).replace(/\s*[\r\n]+\s*/g, " ");
  return escapeHtml(neutralizeReferences(oneLine).replace(MARKDOWN_SPECIALS, "\\$&"));
}

/** Text content only (never used inside an attribute), so quotes stay readable. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A code span that holds any text: the fence is longer than every backtick run inside. */
export function inlineCode(text: string): string {
  const clean = stripControl(text).replace(/[\r\n]+/g, " ");
  const fence = "`".repeat(longestRun(clean, "`") + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") || clean === "" ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced block for logs: nothing inside is rendered, referenced or able to close the fence. */
export function codeBlock(text: string, info = "text"): string {
  const clean = stripControl(text).replace(/\r\n?/g, "\n");
  const fence = "`".repeat(Math.max(3, longestRun(clean, "`") + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** Cut `text` to at most `max` UTF-16 units without splitting a surrogate pair, marking the cut. */
export function truncateText(text: string, max: number, marker = "…"): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}
