import { PublishStore, type PublishRecord } from "./publish-store.js";

/**
 * The raw publish ledger (one row per pushed repository and version), for tests and
 * operators; people use `hubgate published`, which reads the catalogue. Opens the store
 * read-only, so listing a data dir that has none creates nothing.
 */
export async function listPublished(dataDir: string, repository?: string): Promise<PublishRecord[]> {
  const store = await PublishStore.open(dataDir, { readOnly: true });
  try {
    return store.list(repository);
  } finally {
    await store.close();
  }
}

export function formatPublished(records: readonly PublishRecord[], format: "text" | "json"): string {
  if (format === "json") return `${JSON.stringify(records, null, 2)}\n`;
  if (records.length === 0) return "nothing published yet\n";
  const rows = records.map((r) => [
    r.publishedAt,
    `${r.repository}:${r.version}`,
    r.digest,
    r.commit ? r.commit.slice(0, 12) : "-",
    r.sourceRepository ?? "-",
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
