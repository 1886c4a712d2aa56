import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageLabels } from "../../src/docker/labels.js";
import { revisionFromEnvironment } from "../../src/sources/revision-info.js";
import { TEST_MANIFEST } from "../helpers/docker-bundle.js";
import { GitRepo } from "../helpers/git-repo.js";
import { startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { ROOT, runCli } from "../helpers/run-cli.js";
import { ensureBaseImage, uniqueName } from "../publish/test-images.js";

const GITLAB = {
  CI_PROJECT_URL: "https://gitlab.example.com/hub/pods",
  CI_COMMIT_SHA: "1".repeat(40),
  CI_COMMIT_BRANCH: "main",
  CI_COMMIT_TAG: "release-1",
};
const GITHUB = {
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/hub",
  GITHUB_SHA: "2".repeat(40),
  GITHUB_REF_NAME: "v1.2.3",
  GITHUB_REF_TYPE: "tag",
};

describe("revision metadata: flags, then CI variables, then the local git repository", () => {
  let repo: GitRepo;
  beforeAll(() => {
    repo = new GitRepo().write("README.md", "hub\n");
    repo.commit("first");
    repo.git("remote", "add", "origin", "https://deploy:glpat-secret@gitlab.example.com/hub/pods.git");
    repo.git("tag", "zeta");
    repo.git("tag", "alpha");
  });
  afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

  it("reads the local repository when nothing else says: remote without credentials, branch, first tag at HEAD", async () => {
    expect(await revisionFromEnvironment({}, repo.dir)).toEqual({
      sourceUrl: "https://gitlab.example.com/hub/pods.git",
      commit: repo.git("rev-parse", "HEAD"),
      branch: "main",
      tag: "alpha",
    });
  });

  it("takes GitLab CI variables over git, and GitHub Actions' ref name as a tag on tag builds", async () => {
    expect(await revisionFromEnvironment(GITLAB, repo.dir)).toEqual({
      sourceUrl: GITLAB.CI_PROJECT_URL,
      commit: GITLAB.CI_COMMIT_SHA,
      branch: "main",
      tag: "release-1",
    });
    expect(await revisionFromEnvironment(GITHUB, undefined)).toEqual({
      sourceUrl: "https://github.com/acme/hub",
      commit: GITHUB.GITHUB_SHA,
      tag: "v1.2.3",
    });
    expect(
      await revisionFromEnvironment(
        { ...GITHUB, GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "dev" },
        undefined,
      ),
    ).toEqual({ sourceUrl: "https://github.com/acme/hub", commit: GITHUB.GITHUB_SHA, branch: "dev" });
  });

  it("lets --repository-url, --revision-branch and --revision-tag win over CI and git", async () => {
    expect(
      await revisionFromEnvironment(GITLAB, repo.dir, {
        sourceUrl: "https://user:pw@example.com/mirror",
        branch: "feature",
        tag: "v9",
      }),
    ).toEqual({
      sourceUrl: "https://example.com/mirror",
      commit: GITLAB.CI_COMMIT_SHA,
      branch: "feature",
      tag: "v9",
    });
  });

  it("puts branch and tag in the image labels", () => {
    const labels = imageLabels(TEST_MANIFEST, { commit: "abc", branch: "main", tag: "v1" });
    expect(labels["dev.hubgate.revision.branch"]).toBe("main");
    expect(labels["dev.hubgate.revision.tag"]).toBe("v1");
  });
});

describe("hubgate publish with revision flags (spawned, real registry)", () => {
  let registry: RegistryServer;
  let repo: GitRepo;
  let dataDir: string;
  let name: string;
  let repository: string;

  beforeAll(async () => {
    ensureBaseImage();
    registry = await startRegistry();
    name = uniqueName("RevProbe");
    repository = `jinahub/pod.encoder.${name.toLowerCase()}`;
    repo = new GitRepo().copy(
      join(ROOT, "examples/executors/encoders/AwesomeEncoder"),
      `executors/encoders/${name}`,
    );
    const manifest = join(repo.dir, `executors/encoders/${name}/manifest.yml`);
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace("name: AwesomeEncoder", `name: ${name}`) + "tasks: [Predict]\n",
    );
    repo.commit("a bundle");
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-rev-data-"));
  });
  afterAll(async () => {
    await registry?.stop();
    if (repo) rmSync(repo.dir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    try {
      execFileSync("docker", ["rmi", "-f", `${repository}:0.0.1`, `${registry.host}/${repository}:0.0.1`], {
        stdio: "ignore",
      });
    } catch {
      // never built
    }
  });

  it("records the given revision in the catalogue and the image labels; CI fills the rest", () => {
    const env = {
      HUBGATE_REGISTRY: registry.host,
      HUBGATE_REGISTRY_USERNAME: registry.username,
      HUBGATE_REGISTRY_PASSWORD: registry.password,
      HUBGATE_DATA_DIR: dataDir,
      HUBGATE_NAMESPACE: "",
      ...GITLAB,
    };
    const published = runCli(
      ["publish", "executors", "--revision-branch", "release/1.x", "--revision-tag", "v0.0.1"],
      repo.dir,
      env,
    );
    expect(published.stderr).toBe("");
    expect(published.code).toBe(0);
    const listed = runCli(["published", "--format", "json"], tmpdir(), { HUBGATE_DATA_DIR: dataDir });
    const [image] = JSON.parse(listed.stdout) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(image).toMatchObject({
      name,
      kind: "encoder",
      version: "0.0.1",
      tasks: ["Predict"],
      cpu: true,
      revision: {
        repository_url: GITLAB.CI_PROJECT_URL,
        commit: GITLAB.CI_COMMIT_SHA,
        branch: "release/1.x",
        tag: "v0.0.1",
      },
    });
    const labels = JSON.parse(
      execFileSync(
        "docker",
        ["image", "inspect", "--format", "{{json .Config.Labels}}", `${repository}:0.0.1`],
        {
          encoding: "utf8",
        },
      ),
    ) as Record<string, string>;
    expect(labels).toMatchObject({
      "org.opencontainers.image.source": GITLAB.CI_PROJECT_URL,
      "org.opencontainers.image.revision": GITLAB.CI_COMMIT_SHA,
      "dev.hubgate.revision.branch": "release/1.x",
      "dev.hubgate.revision.tag": "v0.0.1",
    });
  });
});
