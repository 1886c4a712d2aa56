// The image-collision pre-pass of a streamed static check, timed against the check itself in
// one thread (issue 10 asked what the pre-pass costs). Prints `{"bundles": n, "prepassMs": p,
// "checkMs": c}`. Usage: node prepass.js HUB_DIR
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
type CheckBundles = typeof import("../src/pipeline/check-bundles.js");
type LocalPlan = typeof import("../src/sources/local-plan.js");
type Validators = typeof import("../src/config/validators.js");
const { imageRepository, sharedRepositories, streamedCheck } = (await import(
  join(ROOT, "dist/pipeline/check-bundles.js")
)) as CheckBundles;
const { planLocalCheck } = (await import(join(ROOT, "dist/sources/local-plan.js"))) as LocalPlan;
const { loadManifestValidator } = (await import(join(ROOT, "dist/config/validators.js"))) as Validators;

const local = await planLocalCheck({ cwd: process.cwd(), paths: [process.argv[2]!] });
const options = { config: local.config, validator: await loadManifestValidator() };
const { headDir, bundles } = local.plan;
const time = async (run: () => unknown) => {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
let shared = new Map<string, string[]>();
const prepassMs = await time(() => {
  shared = sharedRepositories(
    bundles,
    bundles.map((b) => imageRepository(headDir, b, options, [])?.repository),
  );
});
const checkMs = await time(async () => {
  for (const b of bundles) await streamedCheck(local.plan, b, options, [], shared);
});
process.stdout.write(JSON.stringify({ bundles: bundles.length, prepassMs, checkMs }) + "\n");
