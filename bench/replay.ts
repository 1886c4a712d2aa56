// `npm run replay`: start the app against the fake GitHub, replay GitHub's own
// pull_request.opened example (pointed at a PR that adds the example bundles), and print
// what a contributor would see: the check runs, their annotations and summaries.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeGitHub } from "../test/fakes/github/index.js";
import { startHubgateServer } from "../test/helpers/hubgate-server.js";
import { deliver, OWNER, pullRequestPayload, REPO, setUpPull } from "../test/helpers/github-scenario.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

function filesUnder(dir: string, into: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) filesUnder(abs, into);
    else into[relative(EXAMPLES, abs)] = readFileSync(abs, "utf8");
  }
  return into;
}

const build = process.argv.includes("--build");
const fake = await startFakeGitHub();
const server = await startHubgateServer(fake, {
  images: build ? undefined : null,
  env: build ? { HUBGATE_BUILD: "true" } : {},
});
try {
  const head = filesUnder(join(EXAMPLES, "executors"));
  const pull = setUpPull(fake, { base: { "README.md": "hub\n" }, head: { "README.md": "hub\n", ...head } });
  const answer = await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
  console.log(`POST /api/github/webhooks (pull_request.opened, signed) → ${answer.status}`);
  await server.queue.idle();
  for (const run of fake.checkRuns(OWNER, REPO)) {
    console.log(
      `\n━━ check run "${run.name}": ${run.status} / ${run.conclusion}\n   title: ${run.output.title}`,
    );
    for (const a of run.annotations)
      console.log(
        `   ${a.annotation_level.padEnd(7)} ${a.path}:${a.start_line}:${a.start_column ?? ""} ${a.message} [${a.title}]`,
      );
    console.log(`   summary:\n${(run.output.summary ?? "").replace(/^/gm, "     ")}`);
  }
  console.log(
    `\nrequests to GitHub: ${fake.calls.length}, rejected by GitHub's OpenAPI description: ${fake.violations.length}`,
  );
} finally {
  await server.close();
  await fake.close();
}
