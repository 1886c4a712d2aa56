/**
 * Report safety for every dialect, in one place: Markdown (GitHub summaries, GitLab notes),
 * plain text (CLI, CI logs) and XML (JUnit). Whatever a contributor wrote — messages, file and folder names,
 * build and container logs — goes through one of these before it reaches a reader.
 */
export {
  codeBlock,
  escapeHtml,
  escapeMarkdown,
  inlineCode,
  neutralizeReferences,
  stripControl,
  truncateText,
} from "./markdown-text.js";
export { guardLine, guardLines, plainValue } from "./plain-text.js";
export { xmlAttr, xmlText } from "./xml-text.js";
