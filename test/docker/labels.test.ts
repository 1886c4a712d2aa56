import { imageLabels, keepCreatedOfSameRevision, safeUrl } from "../../src/docker/labels.js";
import { TEST_MANIFEST } from "../helpers/docker-bundle.js";

const NOW = new Date("2026-01-02T03:04:05.678Z");

test("OCI and manifest labels from the manifest and revision; empty ones left out", () => {
  const labels = imageLabels(
    { ...TEST_MANIFEST, documentation: undefined, description: "  Multi\nline  " },
    { sourceUrl: "https://x-access-token:ghs_abc@github.com/acme/hub.git?token=1#frag", commit: "abc123" },
    NOW,
  );
  expect(labels).toEqual({
    "org.opencontainers.image.title": "SmokePod",
    "org.opencontainers.image.version": "0.0.1",
    "org.opencontainers.image.description": "Multi\nline",
    "org.opencontainers.image.licenses": "apache-2.0",
    "org.opencontainers.image.authors": "Test Author (author@example.com)",
    "org.opencontainers.image.url": "https://example.com/smoke-pod",
    "org.opencontainers.image.vendor": "Hubgate Tests",
    "org.opencontainers.image.source": "https://github.com/acme/hub.git",
    "org.opencontainers.image.revision": "abc123",
    "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
    "dev.hubgate.manifest.kind": "encoder",
    "dev.hubgate.manifest.type": "pod",
    "dev.hubgate.manifest.name": "SmokePod",
    "dev.hubgate.manifest.version": "0.0.1",
    "dev.hubgate.manifest.keywords": "test,smoke",
    "dev.hubgate.managed": "true",
  });
});

test("credentials never survive in a URL label", () => {
  expect(safeUrl("https://user:pass@example.com/docs")).toBe("https://example.com/docs");
  expect(safeUrl("git@github.com:acme/hub.git")).toBe("github.com:acme/hub.git");
  expect(safeUrl("https://example.com/x?keep=1")).toBe("https://example.com/x?keep=1");
  expect(safeUrl("https://example.com/x?token=1", { dropQuery: true })).toBe("https://example.com/x");
});

test("a rebuild of the same revision keeps the previous created time; anything else is fresh", () => {
  const previous = imageLabels(TEST_MANIFEST, { commit: "abc" }, new Date("2025-01-01T00:00:00Z"));
  const now = imageLabels(TEST_MANIFEST, { commit: "abc" }, NOW);
  expect(keepCreatedOfSameRevision(now, previous)["org.opencontainers.image.created"]).toBe(
    "2025-01-01T00:00:00Z",
  );
  const newCommit = imageLabels(TEST_MANIFEST, { commit: "def" }, NOW);
  expect(keepCreatedOfSameRevision(newCommit, previous)).toEqual(newCommit);
  const noCommit = imageLabels(TEST_MANIFEST, {}, NOW);
  expect(keepCreatedOfSameRevision(noCommit, imageLabels(TEST_MANIFEST, {}, new Date(0)))).toEqual(noCommit);
  expect(keepCreatedOfSameRevision(now, undefined)).toEqual(now);
});
