/**
 * Every platform's size limits, and the one way a report is made to fit them: less detail step
 * by step, then whole sections left out and counted. A report that leaves something out says
 * how much and where the rest is; nothing is cut silently.
 */
import { truncateText } from "./markdown-text.js";

export const LIMITS = {
  github: {
    /** checks create/update: `output.summary` and `output.text`, characters each (FACTS.md). */
    outputChars: 65_535,
    /** Annotations per create or update request; more are sent with further updates. */
    annotationsPerRequest: 50,
    /** Annotation `title`, characters. */
    annotationTitleChars: 255,
    /** Annotation `message`, "64 KB": counted in UTF-8 bytes to be safe. */
    annotationMessageBytes: 65_536,
    /**
     * Our own cap per check run: past this a contributor stops reading; the rest stays in the
     * summary's list (or is counted there), never dropped without a word.
     */
    annotationsPerRun: 200,
    /** `output.title` has no documented limit; it is one line in the UI. */
    titleChars: 255,
  },
  gitlab: {
    /** GitLab rejects notes longer than this. */
    noteChars: 1_000_000,
    /** A commit status's `name` and `description`. */
    statusChars: 255,
  },
} as const;

/**
 * Our own cap on one quoted message (a finding's, an engine's, a smoke test's reason): one
 * message must not push everything else out of a report.
 */
export const QUOTE_CHARS = 10_000;

/** How much detail a report may carry; reduced step by step until it fits a limit. */
export interface DetailBudget {
  /** Last lines shown per build or smoke log. */
  logLines: number;
  /** Findings listed per bundle (or outside any bundle); the rest are counted. */
  findings: number;
}

export const DETAIL_STEPS: readonly DetailBudget[] = [
  { logLines: 40, findings: Infinity },
  { logLines: 10, findings: Infinity },
  { logLines: 0, findings: Infinity },
  { logLines: 0, findings: 200 },
  { logLines: 0, findings: 30 },
  { logLines: 0, findings: 5 },
  { logLines: 0, findings: 0 },
];

/** An item of a report, rendered only when it is needed (a list of 50,000 findings is mostly not). */
export type ReportItem = string | (() => string);

/** A rendered report in parts: when even the least detail is too long, whole items are left out. */
export interface ReportParts {
  head: string;
  /** Sections that can be left out from the end (bundles of a note, lines of a list). */
  items: readonly ReportItem[];
  /** Items the budget already left out (counted in the same notice). */
  omitted?: number;
  tail?: string;
}

/**
 * Render with ever less detail until the text fits `limit` characters. As a last resort keep
 * the head and as many whole items as fit, and put `leftOut(n)` where the rest would be.
 * Items are rendered only until the limit is passed, so a huge report costs what fits, not
 * what it holds. `render` must be pure: it is called once per step.
 */
export function fitToLimit(
  render: (budget: DetailBudget) => ReportParts,
  limit: number,
  leftOut: (omittedItems: number) => string,
  separator = "\n",
): string {
  let parts: ReportParts | undefined;
  for (const budget of DETAIL_STEPS) {
    parts = render(budget);
    const notice = parts.omitted ? [leftOut(parts.omitted)] : [];
    const fixed = [parts.head, ...notice, parts.tail ?? ""];
    let size = fixed.reduce((n, t) => n + t.length + separator.length, 0);
    const shown: string[] = [];
    for (const item of parts.items) {
      if (size > limit) break;
      const text = itemText(item);
      size += text.length + separator.length;
      shown.push(text);
    }
    if (shown.length === parts.items.length) {
      const text = join({ ...parts, items: shown }, notice, separator);
      if (text.length <= limit) return text;
    }
  }
  const { head, items, omitted = 0, tail } = parts!;
  // The notice grows with its number: reserve room for the longest it can be.
  const reserve = leftOut(items.length + omitted).length + separator.length * 2 + (tail?.length ?? 0);
  const shownHead = cutAtLine(head, Math.max(0, limit - reserve));
  const kept: string[] = [];
  let used = shownHead.length;
  for (const item of items) {
    const text = itemText(item);
    if (used + separator.length + text.length > limit - reserve) break;
    kept.push(text);
    used += separator.length + text.length;
  }
  const notice = leftOut(items.length - kept.length + omitted);
  const fitted = join({ head: shownHead, items: kept, tail }, [notice], separator);
  return fitted.length <= limit ? fitted : truncateText(fitted, limit);
}

const itemText = (item: ReportItem) => (typeof item === "string" ? item : item());

function join(
  parts: ReportParts & { items: readonly string[] },
  notice: string[],
  separator: string,
): string {
  const head = parts.head ? [parts.head] : [];
  return [...head, ...parts.items, ...notice, ...(parts.tail ? [parts.tail] : [])].join(separator);
}

/** At most `max` characters, ending at a line break when there is one (no half Markdown line). */
export function cutAtLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf("\n", max);
  return cut > 0 ? text.slice(0, cut) : truncateText(text, max);
}

/** At most `maxBytes` of UTF-8, cut on a character boundary and marked. */
export function truncateBytes(text: string, maxBytes: number, marker = "…"): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(marker, "utf8");
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + marker;
}

/** "3 findings", "1 finding". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

/** The line a list ends with when items were left out: how many, and where to see them all. */
export function moreNotShown(omitted: number, what: string, where: string): string {
  return `… and ${plural(omitted, `more ${what}`, `more ${what}s`)} not shown here: ${where}.`;
}
