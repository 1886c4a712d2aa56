/**
 * A job whose engine went away (or whose process died) cannot drop its per-job build name:
 * the next start on this host drops the names of dead runs, and leaves live runs' alone.
 * On the real engine; the names are put on the tests' base image, which keeps its own tag.
 */
import { spawnSync } from "node:child_process";
import Dockerode from "dockerode";
import { newJobTag, sweepJobTags } from "../../src/docker/job-tags.js";
import { BASE_IMAGE, ensureBaseImage } from "../helpers/docker-base-image.js";

const docker = new Dockerode();

/** A process id that has just ended (its owner is certainly dead). */
function deadPid(): number {
  const run = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(run.stdout);
}

const exists = (reference: string) =>
  docker
    .getImage(reference)
    .inspect()
    .then(() => true)
    .catch(() => false);

async function tagAs(reference: string): Promise<void> {
  const [repo, tag] = reference.split(":");
  await docker.getImage(BASE_IMAGE).tag({ repo: repo!, tag: tag! });
}

test("leftover job tags of dead runs on this host are dropped; live runs' and the image stay", async () => {
  await ensureBaseImage(docker);
  const live = newJobTag();
  expect(live).toMatch(new RegExp(`^hubgate-job/[0-9a-f]{8}-${process.pid}-[0-9a-f]{16}:build$`));
  const dead = live.replace(`-${process.pid}-`, `-${deadPid()}-`);
  const otherHost = live
    .replace(/^hubgate-job\/[0-9a-f]{8}/, "hubgate-job/00000000")
    .replace(`-${process.pid}-`, `-${deadPid()}-`);
  try {
    for (const reference of [live, dead, otherHost]) await tagAs(reference);
    expect(await sweepJobTags(docker)).toBeGreaterThanOrEqual(1);
    expect(await exists(dead)).toBe(false);
    expect(await exists(live)).toBe(true);
    // Another host's run: a process id says nothing here.
    expect(await exists(otherHost)).toBe(true);
    expect(await exists(BASE_IMAGE)).toBe(true);
  } finally {
    for (const reference of [live, dead, otherHost])
      await docker
        .getImage(reference)
        .remove({ noprune: true })
        .catch(() => undefined);
  }
});
