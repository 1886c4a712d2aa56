/**
 * The XML dialects' safety (JUnit): text and attribute values that any message, path or
 * container log can go into without breaking the document.
 */

// XML 1.0 allows only tab, newline, carriage return and these ranges; anything else (a NUL or
// an escape sequence in a container log) would make the whole report unreadable.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(text: string): string {
  return text.replace(INVALID_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function xmlAttr(text: string): string {
  return xmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
