import type { CheckResult } from "../../core/result.js";
import type { Format } from "../args.js";
import { formatCodeQuality } from "./codequality.js";
import { formatJson } from "./json.js";
import { formatJunit } from "./junit.js";
import { formatSarif } from "./sarif.js";
import { COLOURS, formatText, PLAIN } from "./text.js";

export function formatResult(result: CheckResult, format: Format, options: { color: boolean }): string {
  switch (format) {
    case "json":
      return formatJson(result);
    case "text":
      return formatText(result, options.color ? COLOURS : PLAIN);
    case "codequality":
      return formatCodeQuality(result);
    case "junit":
      return formatJunit(result);
    case "sarif":
      return formatSarif(result);
  }
}
