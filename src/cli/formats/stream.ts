import type { BundleResult, CheckResult } from "../../core/result.js";
import type { Format } from "../args.js";
import { jsonBundleItem } from "./json.js";
import { ReportTally } from "../../report/report-model.js";
import { COLOURS, PLAIN, textBundle, textEnd, textOutside } from "./text.js";

/**
 * The text and JSON reports written bundle by bundle as they finish, in plan order, so a
 * check of 50,000 bundles holds a few results at a time instead of all of them plus one
 * giant string. The other formats need totals up front and are written whole.
 * The streamed JSON is the same document as `formatJson`'s, with `conclusion` last.
 */
export interface ReportStream {
  bundle(result: BundleResult): void;
  end(result: CheckResult): void;
}

export function streamsFormat(format: Format): boolean {
  return format === "text" || format === "json";
}

export function reportStream(
  format: "text" | "json",
  order: readonly string[],
  outside: CheckResult["findings"],
  write: (text: string) => void,
  options: { color: boolean },
): ReportStream {
  const style = options.color ? COLOURS : PLAIN;
  const tally = new ReportTally();
  const position = new Map(order.map((path, i) => [path, i]));
  const waiting = new Map<number, BundleResult>();
  let next = 0;
  let written = 0;
  const emit = (result: BundleResult) => {
    tally.add(result);
    if (format === "text") write(textBundle(result, style));
    else write(`${written ? ",\n" : ""}${jsonBundleItem(result)}`);
    written++;
  };

  if (format === "text") write(textOutside(outside, style));
  else write('{\n  "bundles": [\n');
  return {
    bundle(result) {
      const at = position.get(result.path);
      if (at === undefined) return emit(result);
      waiting.set(at, result);
      // Bundles finish out of order (several in flight): print them in plan order.
      for (let r = waiting.get(next); r; r = waiting.get(next)) {
        waiting.delete(next++);
        emit(r);
      }
    },
    end(result) {
      for (const r of [...waiting.entries()].sort((a, b) => a[0] - b[0])) emit(r[1]);
      waiting.clear();
      if (format === "text") return write(textEnd(result, tally, style));
      const tail: Record<string, unknown> = { findings: result.findings };
      if (result.nothingChecked) tail.nothingChecked = result.nothingChecked;
      tail.conclusion = result.conclusion;
      const rest = JSON.stringify(tail, null, 2).slice(1); // drop the opening brace: same object
      write(`${written ? "\n" : ""}  ],${rest}\n`);
    },
  };
}
