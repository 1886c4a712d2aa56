import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { dockerignoreWithGenerated, labelledDockerfile } from "../../src/docker/labelled-dockerfile.js";
import { ensureBaseImage } from "../helpers/docker-base-image.js";
import { podDockerfile, removeImages, testJob, writeBundle } from "../helpers/docker-bundle.js";

describe("labels through one generated LABEL instruction", () => {
  it("appends one quoted LABEL and lists the copy in .dockerignore", () => {
    const text = labelledDockerfile("FROM x\nRUN true\n\n", { "a.b": 'say "hi"', c: "d\\e" });
    expect(text).toBe('FROM x\nRUN true\nLABEL "a.b"="say \\"hi\\"" \\\n      "c"="d\\\\e"\n');
    expect(dockerignoreWithGenerated("*.md")).toBe("*.md\n.hubgate.Dockerfile\n");
    expect(dockerignoreWithGenerated(undefined)).toBe(".hubgate.Dockerfile\n");
  });

  it("labels the image while COPY . never sees the generated Dockerfile", async () => {
    const docker = new Dockerode();
    await ensureBaseImage(docker);
    // The build itself fails if the generated file reached the image.
    const bundle = await writeBundle({
      Dockerfile: podDockerfile(
        undefined,
        "RUN test ! -e /app/.hubgate.Dockerfile && test -e /app/entrypoint.sh",
      ),
      ".dockerignore": "*.md",
    });
    const job = testJob(bundle.dir, "labelled");
    try {
      const outcome = await createDockerImagePipeline({ docker, sweepOnStart: false }).run(job, () => {});
      expect(outcome.findings).toEqual([]);
      const image = await docker.getImage(job.image.reference).inspect();
      expect(image.Config.Labels).toMatchObject({
        "org.opencontainers.image.version": job.manifest.version,
        "dev.hubgate.managed": "true",
      });
    } finally {
      await bundle.cleanup();
      await removeImages(docker, [job.image.reference]);
    }
  });
});
