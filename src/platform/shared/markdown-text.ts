// Escaping lives in src/report/ with every dialect's other safety rules; this path stays for
// the platform code that imports it.
export * from "../../report/markdown-text.js";
