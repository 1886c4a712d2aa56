/**
 * Labels go into the image through one generated `LABEL` instruction appended to a copy of
 * the contributor's Dockerfile, not through the build API's `labels` option: the classic
 * builder turns each API label into its own step, one container each (17 labels cost ~2 s
 * on a cold build). The copy is listed in the context's .dockerignore, so the engine reads
 * it as the Dockerfile and then drops it from the context: `COPY .` never sees it.
 */
export const GENERATED_DOCKERFILE = ".hubgate.Dockerfile";

export function labelledDockerfile(original: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(
    ([key, value]) => `${JSON.stringify(key)}=${JSON.stringify(value)}`,
  );
  if (pairs.length === 0) return original;
  return `${original.replace(/\s*$/, "")}\nLABEL ${pairs.join(" \\\n      ")}\n`;
}

export function dockerignoreWithGenerated(original: string | undefined): string {
  return `${original ?? ""}${original && !original.endsWith("\n") ? "\n" : ""}${GENERATED_DOCKERFILE}\n`;
}
