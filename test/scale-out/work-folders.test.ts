import { jest } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostId } from "../../src/docker/job-tags.js";
import { startWorkerProcess, TEST_REDIS_URL } from "../helpers/worker-process.js";

jest.setTimeout(60_000);

// A worker killed with kill -9 cannot remove its job folders; the next start on the host does,
// and leaves alone what a live worker or another host (a shared volume) still owns.
test("a worker's start removes the job folders a dead worker on this host left, and only those", async () => {
  const workDir = mkdtempSync(join(tmpdir(), "hubgate-work-folders-"));
  try {
    const deadPid = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    }).stdout;
    const otherHost = hostId() === "00000000" ? "11111111" : "00000000";
    const folder = (name: string) => {
      mkdirSync(join(workDir, name, "bundle"), { recursive: true });
      writeFileSync(join(workDir, name, "bundle", "Dockerfile"), "FROM scratch\n");
      return join(workDir, name);
    };
    const dead = folder(`hubgate-job-${hostId()}-${deadPid}-abc123`);
    const live = folder(`hubgate-job-${hostId()}-${process.pid}-def456`);
    const foreign = folder(`hubgate-job-${otherHost}-${deadPid}-ghi789`);
    const unrelated = folder("notes");

    const worker = await startWorkerProcess({
      HUBGATE_REDIS_URL: TEST_REDIS_URL,
      HUBGATE_QUEUE_PREFIX: `hubgate-test-folders-${process.pid}`,
      HUBGATE_WORK_DIR: workDir,
    });
    try {
      expect(
        worker.lines.find((line) => line.msg === "removed job folders a dead worker left"),
      ).toMatchObject({
        swept: 1,
      });
      expect(existsSync(dead)).toBe(false);
      expect([live, foreign, unrelated].map(existsSync)).toEqual([true, true, true]);
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
