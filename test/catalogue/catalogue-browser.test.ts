import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { PublishedImage } from "../../src/catalogue/catalogue-store.js";
import { launchBrowser } from "../helpers/browser.js";
import { ROOT } from "../helpers/run-cli.js";
import { startCatalogue, type CatalogueHarness } from "./catalogue-harness.js";

const REGISTRY = "registry.hub.example.com";
const HOSTILE = `Encodes text. <script>document.title="pwned"</script><img src=x onerror=alert(1)>`;

function published(
  overrides: Partial<PublishedImage> & Pick<PublishedImage, "kind" | "name" | "version">,
): PublishedImage {
  const repo = `${REGISTRY}/jinahub/pod.${overrides.kind}.${overrides.name.toLowerCase()}`;
  return {
    repository: repo,
    digest: `sha256:${createHash("sha256").update(`${overrides.name}:${overrides.version}`).digest("hex")}`,
    registryUrl: `https://${REGISTRY}`,
    licence: "apache-2.0",
    tasks: ["Predict"],
    cpu: true,
    revision: {
      sourceUrl: "https://github.com/acme/hub",
      commit: "0123456789abcdef0123456789abcdef01234567",
      branch: "main",
    },
    latest: true,
    publishedAt: "2026-12-01T10:00:00.000Z",
    ...overrides,
  };
}

describe("the catalogue page in a real browser (Chromium, no JavaScript)", () => {
  let h: CatalogueHarness;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let shots: string;

  beforeAll(async () => {
    h = await startCatalogue();
    const c = h.catalogue;
    c.recordPublished(
      published({
        kind: "encoder",
        name: "TextEncoder",
        version: "1.0.0",
        description: "Turns sentences into vectors with a small transformer.",
        domain: "nlp",
        framework: "pytorch",
        cudaVersion: "11.8",
        cpu: false,
        minHardwareGeneration: "ampere",
        tasks: ["Predict", "Train"],
        publishedAt: "2026-11-20T09:00:00.000Z",
        revision: {
          sourceUrl: "https://github.com/acme/hub",
          commit: "a".repeat(40),
          branch: "main",
          tag: "v1.0.0",
        },
      }),
    );
    c.recordPublished(
      published({
        kind: "encoder",
        name: "TextEncoder",
        version: "1.1.0",
        description: "Turns sentences into vectors with a small transformer.",
        domain: "nlp",
        framework: "pytorch",
        cudaVersion: "11.8",
        cpu: false,
        minHardwareGeneration: "ampere",
        tasks: ["Predict", "Train"],
        publishedAt: "2026-12-02T09:00:00.000Z",
        revision: {
          sourceUrl: "https://github.com/acme/hub",
          commit: "b".repeat(40),
          branch: "main",
          tag: "v1.1.0",
        },
      }),
    );
    const old = c.list({ name: "TextEncoder", version: "1.0.0" })[0]!;
    c.deprecate(old.pk, "tokeniser drops accents; use 1.1.0");
    c.recordPublished(
      published({
        kind: "encoder",
        name: "ImageEncoder",
        version: "0.3.0",
        description: "CLIP image vectors.",
        domain: "vision",
      }),
    );
    c.recordPublished(
      published({
        kind: "indexer",
        name: "FaissIndexer",
        version: "2.0.0",
        description: HOSTILE,
        domain: "search",
      }),
    );
    c.recordPublished(
      published({
        kind: "crafter",
        name: "TextCleaner",
        version: "0.1.0",
        description: "Normalises text.",
        domain: "nlp",
      }),
    );
    browser = await launchBrowser({ javaScriptEnabled: false });
    page = await browser.context.newPage();
    shots = mkdtempSync(join(tmpdir(), "hubgate-shots-"));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  it("lists, searches and filters with plain GET forms", async () => {
    await page.goto(`${h.url}/catalogue`);
    await expectTitle(page, "hubgate catalogue");
    expect(await page.getByRole("status").textContent()).toBe("4 images found");
    expect(await page.locator("ul.results h3").allTextContents()).toEqual([
      "TextEncoder",
      "TextCleaner",
      "ImageEncoder",
      "FaissIndexer",
    ]);

    await page.getByLabel("Search").fill("text");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=text/);
    expect(await page.getByRole("status").textContent()).toBe("3 images found");

    await page.getByRole("combobox", { name: "Kind" }).selectOption("encoder");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/kind=encoder/);
    expect(await page.locator("ul.results h3").allTextContents()).toEqual(["TextEncoder"]);

    await page.goto(`${h.url}/catalogue`);
    await page.getByRole("combobox", { name: "Domain" }).selectOption("vision");
    await page.getByRole("button", { name: "Search" }).click();
    expect(await page.locator("ul.results h3").allTextContents()).toEqual(["ImageEncoder"]);
  });

  it("opens an image and reads its versions, pull line, licence and commit links", async () => {
    await page.goto(`${h.url}/catalogue?kind=encoder`);
    await page.getByRole("link", { name: "TextEncoder" }).click();
    await page.waitForURL(/\/catalogue\/encoder\/TextEncoder$/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("TextEncoder");
    expect(await page.locator("pre code").first().textContent()).toBe(
      `docker pull ${REGISTRY}/jinahub/pod.encoder.textencoder:1.1.0@${h.catalogue.list({ name: "TextEncoder", version: "1.1.0" })[0]!.digest}`,
    );
    const table = page.getByRole("table", { name: "Versions" });
    const rows: string[][] = [];
    for (const tr of await table.locator("tbody tr").all())
      rows.push((await tr.locator("th, td").allTextContents()).map((t) => t.trim()));
    expect(rows.map((r) => [r[0], r[2], r[3], r[4], r[5], r[7]])).toEqual([
      ["1.1.0", "1.1.0, latest", "bbbbbbbbbbbb", "main", "v1.1.0", "Current"],
      ["1.0.0", "1.0.0", "aaaaaaaaaaaa", "main", "v1.0.0", "Deprecated: tokeniser drops accents; use 1.1.0"],
    ]);
    expect(await table.getByRole("link", { name: "aaaaaaaaaaaa" }).getAttribute("href")).toBe(
      `https://github.com/acme/hub/commit/${"a".repeat(40)}`,
    );
    expect(await page.locator("dl").textContent()).toContain("apache-2.0");
    const badge = page.getByRole("img", { name: /hubgate status of TextEncoder: version 1.1.0/ });
    expect(
      await badge.evaluate((img) => {
        const image = img as unknown as { complete: boolean; naturalWidth: number };
        return image.complete && image.naturalWidth > 0;
      }),
    ).toBe(true);
    const shot = join(shots, "catalogue.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");
    // `HUBGATE_UPDATE_SCREENSHOT=1` refreshes the README's picture from this very page.
    if (process.env.HUBGATE_UPDATE_SCREENSHOT) copyFileSync(shot, join(ROOT, "docs/catalogue.png"));
  });

  it("shows a manifest's markup as text, never as markup", async () => {
    await page.goto(`${h.url}/catalogue/indexer/FaissIndexer`);
    await expectTitle(page, "FaissIndexer — hubgate catalogue");
    expect(await page.locator("main script, main img[src=x]").count()).toBe(0);
    expect(await page.locator("main").textContent()).toContain('<script>document.title="pwned"</script>');
  });

  it("works the same with JavaScript on, and the page itself runs none", async () => {
    const withJs = await launchBrowser({ javaScriptEnabled: true });
    try {
      const p = await withJs.context.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      p.on("dialog", (d) => {
        errors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await p.goto(`${h.url}/catalogue/indexer/FaissIndexer`);
      expect(await p.title()).toBe("FaissIndexer — hubgate catalogue");
      expect(await p.evaluate("document.scripts.length")).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await withJs.close();
    }
  });

  it("answers an unknown image with a 404 page linking back", async () => {
    const response = await page.goto(`${h.url}/catalogue/encoder/Nope`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole("link", { name: "All images" }).count()).toBe(1);
  });
});

async function expectTitle(page: Page, title: string): Promise<void> {
  expect(await page.title()).toBe(title);
  await expectAccessibleBasics(page);
}

/** What a screen reader needs: a language, one h1, no skipped heading level, named controls, alt texts. */
async function expectAccessibleBasics(page: Page): Promise<void> {
  expect(await page.locator("html").getAttribute("lang")).toBe("en");
  const levels = (await page.locator("h1, h2, h3, h4").evaluateAll((hs) => hs.map((h) => h.tagName))).map(
    (t) => Number(t.slice(1)),
  );
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  levels.forEach((level, i) => expect(level - (levels[i - 1] ?? 0)).toBeLessThanOrEqual(1));
  for (const control of await page.locator("input, select, button").all()) {
    const id = await control.getAttribute("id");
    const named =
      (await control.getAttribute("aria-label")) ??
      (id ? await page.locator(`label[for="${id}"]`).textContent() : null) ??
      (await control.textContent());
    expect(named?.trim()).toBeTruthy();
  }
  for (const img of await page.locator("img").all()) expect(await img.getAttribute("alt")).toBeTruthy();
}
