// The floor for a static check: walk the tree, read every manifest.yml, yaml.parseDocument it
// and validate it with the same precompiled ajv validator hubgate uses. Nothing else. Prints
// `{"bundles": n, "ms": t, "maxRssKb": r}`. Usage: node floor.js HUB_DIR
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const started = process.hrtime.bigint();
const { default: validate } = (await import(join(ROOT, "dist/generated/manifest-validate.js"))) as {
  default: (data: unknown) => boolean;
};
let bundles = 0;
const walk = (dir: string): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name === "manifest.yml") {
      validate(parseDocument(readFileSync(path, "utf8")).toJS());
      bundles++;
    }
  }
};
walk(process.argv[2]!);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ bundles, ms, maxRssKb: process.resourceUsage().maxRSS }) + "\n");
