import { createRequire } from "node:module";

/**
 * JSON Schema's `uri` format as ajv-formats checks it (RFC 3986), with a fast path. Its test is
 * one very large regular expression that V8 compiles on first use: 4 ms of a one-bundle check,
 * as much as the check itself. Nearly every manifest URL is a plain http(s) URL, which this
 * small expression settles; it accepts only strings the full grammar accepts (a host of
 * reg-name characters, a port, path, query and fragment of the same characters or fewer), and
 * everything else goes to the full test. test/config/uri-format.test.ts holds the two to it.
 */
const PCHAR = "(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})";
const PLAIN_HTTP_URL = new RegExp(
  `^https?://[a-z0-9-]+(?:\\.[a-z0-9-]+)*(?::[0-9]{1,5})?(?:/${PCHAR}*)*` +
    `(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`,
  "i",
);

let full: ((text: string) => boolean) | undefined;

export function isPlainHttpUrl(text: string): boolean {
  return PLAIN_HTTP_URL.test(text);
}

export function uri(text: string): boolean {
  if (PLAIN_HTTP_URL.test(text)) return true;
  full ??= (
    createRequire(import.meta.url)("ajv-formats/dist/formats") as {
      fullFormats: { uri: (text: string) => boolean };
    }
  ).fullFormats.uri;
  return full(text);
}
