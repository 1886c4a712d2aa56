import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { isPlainHttpUrl, SCHEMA_FORMATS } from "../../src/core/schema-formats.js";

const uri = SCHEMA_FORMATS.uri!;

const full = (
  createRequire(import.meta.url)("ajv-formats/dist/formats") as {
    fullFormats: { uri: (text: string) => boolean };
  }
).fullFormats.uri;

const corpus = join(import.meta.dirname, "../fixtures/jina-hub");

function corpusUrls(): string[] {
  const urls = new Set<string>();
  for (const entry of readdirSync(corpus, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith("manifest.yml")) continue;
    for (const m of readFileSync(join(corpus, entry), "utf8").matchAll(/^(?:url|documentation): *(.+)$/gm))
      urls.add(m[1]!.trim().replace(/^(["'])(.*)\1$/, "$2"));
  }
  return [...urls];
}

// Strings the fast path sees and must settle exactly as RFC 3986 (ajv-formats) does.
const crafted = [
  "https://jina.ai",
  "http://example.org:8080/a/b;c=d/@x?q=1&r=%20#frag/ment?",
  "https://Example.COM/Path_(x)~!$&'*+,;=:@",
  "https://exa_mple.org/",
  "https://example.org:123456/",
  "https://example.org/%zz",
  "https://example.org/a b",
  "https://example.org/ä",
  "https://-example.org./x",
  "https://example..org",
  "https://[::1]:80/",
  "https://192.168.0.1/",
  "https://user@example.org/",
  "https:/example.org",
  "https:example.org",
  "http://",
  "https://example.org/#a#b",
  "https://example.org/?a[]=1",
  "ftp://example.org/file",
  "mailto:dev-team@jina.ai",
  "github.com/kilsenp",
  "//example.org",
  "",
  "https://example.org\n",
  "https://example.org/\u0000",
];

describe("the uri format", () => {
  it("agrees with ajv-formats' RFC 3986 test on every corpus URL and crafted case", () => {
    const samples = [...corpusUrls(), ...crafted];
    expect(samples.length).toBeGreaterThan(40);
    const disagreements = samples.filter((s) => uri(s) !== full(s));
    expect(disagreements).toEqual([]);
  });

  it("accepts on the fast path only what the full test accepts", () => {
    const fast = [...corpusUrls(), ...crafted].filter(isPlainHttpUrl);
    // The real hub's URLs take the fast path: that is what it is for.
    expect(fast).toContain("https://jina.ai");
    expect(fast.length).toBeGreaterThan(30);
    expect(fast.filter((s) => !full(s))).toEqual([]);
  });

  it("leaves the rest to the full test", () => {
    expect(isPlainHttpUrl("https://[::1]:80/")).toBe(false);
    expect(uri("https://[::1]:80/")).toBe(true);
    expect(isPlainHttpUrl("github.com/kilsenp")).toBe(false);
    expect(uri("github.com/kilsenp")).toBe(false);
  });
});
