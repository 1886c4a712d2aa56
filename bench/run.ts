// `npm run bench`: every figure next to a baseline measured in the same run, as ratios.
import { benchStaticCheck } from "./static-check.js";
import { printRows, type Row } from "./measure.js";

const sections: Array<[string, () => Promise<Row[]>]> = [["Static check (issue 2)", benchStaticCheck]];
const only = process.argv[2];

const { benchWebhooks } = await import("./webhooks.js").catch(() => ({ benchWebhooks: undefined }));
if (benchWebhooks) sections.push(["Webhooks under the real server (issue 9)", benchWebhooks]);
const dockerBench = new URL("../../docker-build.js", import.meta.url);
sections.push([
  "Build + smoke tests + tag vs bare docker CLI (issue 3)",
  async () =>
    ((await import(dockerBench.href)) as { benchDockerBuild: () => Promise<Row[]> }).benchDockerBuild(),
]);
sections.push([
  "Scale-out: build throughput with 1 and 2 check workers (issue 12)",
  async () => (await import("./scale-out.js")).benchScaleOut(),
]);

for (const [title, run] of sections) {
  if (only && !title.toLowerCase().includes(only.toLowerCase())) continue;
  try {
    printRows(title, await run());
  } catch (error) {
    console.log(`\n## ${title}\n  skipped: ${(error as Error).message}`);
  }
}
