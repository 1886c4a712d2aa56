import { readFile } from "node:fs/promises";
import Dockerode from "dockerode";
import tar from "tar-stream";

/**
 * The base image of every docker test: busybox on scratch, built locally because nothing
 * can be pulled here (FACTS.md). Built once per engine; later calls find it and return.
 */
export const BASE_IMAGE = "hubgate-test/busybox:1";

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
`;

let pending: Promise<void> | undefined;

export function ensureBaseImage(docker: Dockerode = new Dockerode(), tag = BASE_IMAGE): Promise<void> {
  if (tag === BASE_IMAGE) return (pending ??= build(docker, tag));
  return build(docker, tag);
}

async function build(docker: Dockerode, tag: string): Promise<void> {
  const exists = await docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (exists) return;
  const pack = tar.pack();
  pack.entry({ name: "Dockerfile" }, DOCKERFILE);
  pack.entry({ name: "busybox", mode: 0o755 }, await readFile("/bin/busybox"));
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, {
    t: tag,
    pull: false,
    rm: true,
    forcerm: true,
  });
  const events = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output))),
  );
  const failed = events.find((event) => event.error);
  if (failed) throw new Error(`building ${tag} failed: ${failed.error}`);
}

/** A hub's `.hubgate.yml` for bots building the examples: their base image is the tests' busybox. */
export const TEST_HUB_CONFIG = {
  ".hubgate.yml": `build:\n  buildArgs:\n    BASE_IMAGE: ${BASE_IMAGE}\nsmoke:\n  timeoutSeconds: 15\n  stopTimeoutSeconds: 5\n`,
};

/** TEST_HUB_CONFIG with room for a loaded machine, for tests where a slow build or stop is not what is tested. */
export const ROOMY_HUB_CONFIG = {
  ".hubgate.yml": TEST_HUB_CONFIG[".hubgate.yml"]
    .replace("timeoutSeconds: 15", "timeoutSeconds: 60")
    .replace("stopTimeoutSeconds: 5", "stopTimeoutSeconds: 30"),
};
