import type { CheckResult } from "../../core/result.js";
import type { Format } from "../args.js";
import { formatJson } from "./json.js";
import { COLOURS, formatText, PLAIN } from "./text.js";

export function formatResult(result: CheckResult, format: Format, options: { color: boolean }): string {
  switch (format) {
    case "json":
      return formatJson(result);
    case "text":
      return formatText(result, options.color ? COLOURS : PLAIN);
    default:
      throw new Error(`format ${format} is not available yet`);
  }
}
