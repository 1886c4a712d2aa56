import { createRequire } from "node:module";

type Format = (text: string) => boolean;

// Loaded on first use: a check of plain URLs never needs the file.
let full: Record<"uri" | "email", Format> | undefined;
const fullFormats = () =>
  (full ??= (createRequire(import.meta.url)("ajv-formats/dist/formats") as { fullFormats: typeof full })
    .fullFormats!);

/**
 * JSON Schema's `uri` format as ajv-formats checks it (RFC 3986), with a fast path. Its test is
 * one very large regular expression that V8 compiles on first use: 4 ms of a one-bundle check,
 * as much as the check itself. Nearly every manifest URL is a plain http(s) URL, which this
 * small expression settles; it accepts only strings the full grammar accepts (a host of
 * reg-name characters, a port, path, query and fragment of the same characters or fewer), and
 * everything else goes to the full test. test/core/schema-formats.test.ts holds the two to it.
 */
const PCHAR = "(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})";
const PLAIN_HTTP_URL = new RegExp(
  `^https?://[a-z0-9-]+(?:\\.[a-z0-9-]+)*(?::[0-9]{1,5})?(?:/${PCHAR}*)*` +
    `(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`,
  "i",
);

export function isPlainHttpUrl(text: string): boolean {
  return PLAIN_HTTP_URL.test(text);
}

/**
 * The formats the schemas use, for both ways a validator is made: compiled at run time
 * (compile-schema.ts) and generated at build time (scripts/build-validators.js, whose code
 * refers to this object by name, so the generated and the compiled validator run the same tests).
 */
export const SCHEMA_FORMATS: Readonly<Record<string, Format>> = {
  uri: (text) => PLAIN_HTTP_URL.test(text) || fullFormats().uri(text),
  email: (text) => fullFormats().email(text),
};
