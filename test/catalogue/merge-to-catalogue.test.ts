import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../helpers/docker-base-image.js";
import { startHubgateServer, type RunningServer } from "../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { execFile } from "node:child_process";
import { CLI, ROOT } from "../helpers/run-cli.js";

/** The built CLI, spawned without blocking: the server it talks to runs in this process. */
function runCli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const AWESOME = "executors/encoders/AwesomeEncoder";
const MERGE_SHA = "e".repeat(40);
const TOKEN = "merge-catalogue-token";
const docker = new Dockerode();

/** The example bundle with the optional catalogue keys, as a contributor would add them. */
function bundleWithCatalogueKeys(): Record<string, string> {
  const files = exampleBundleFiles(AWESOME);
  const manifest = `${AWESOME}/manifest.yml`;
  files[manifest] =
    files[manifest]! +
    'tasks: [Predict, Train]\ncpu: false\ncuda_version: "11.8"\nframework: pytorch\nmin_hardware_generation: ampere\ndomain: nlp\n';
  return files;
}

describe("a merged pull request's image in the catalogue", () => {
  let fake: FakeGitHub;
  let registry: RegistryServer;
  let server: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    await ensureBaseImage(docker);
    fake = await startFakeGitHub();
    registry = await startRegistry();
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-catalogue-merge-"));
    server = await startHubgateServer(fake, {
      env: {
        HUBGATE_REGISTRY: registry.host,
        HUBGATE_REGISTRY_USERNAME: registry.username,
        HUBGATE_REGISTRY_PASSWORD: registry.password,
        HUBGATE_DATA_DIR: dataDir,
        HUBGATE_CATALOGUE_TOKEN: TOKEN,
      },
      images: createDockerImagePipeline({ docker, sweepOnStart: false }),
    });
    const files = { ...TEST_HUB_CONFIG, ...bundleWithCatalogueKeys() };
    const pull = setUpPull(fake, { base: TEST_HUB_CONFIG, head: files, number: 31 });
    fake.setCommit(OWNER, REPO, MERGE_SHA, files);
    await deliver(
      server,
      "pull_request",
      pullRequestPayload(fake, "closed", { ...pull, merged: true, mergeSha: MERGE_SHA }),
    );
    await server.queue.idle();
  });
  afterAll(async () => {
    await server?.close();
    await registry?.stop();
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      json: text.startsWith("[") || text.startsWith("{") ? JSON.parse(text) : undefined,
    };
  };

  it("appears in POST /v1/docker/list with its digest, revision, manifest metadata and tags", async () => {
    const [run] = fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === MERGE_SHA);
    expect(run?.conclusion).toBe("success");
    const listed = await api("POST", "/v1/docker/list");
    expect(listed.status).toBe(200);
    expect(listed.json).toHaveLength(1);
    const image = listed.json[0];
    const repository = `${registry.host}/jinahub/pod.encoder.awesomeencoder`;
    expect(image).toMatchObject({
      name: "AwesomeEncoder",
      kind: "encoder",
      version: "0.0.1",
      registry_url: registry.url,
      registry_username: null,
      registry_password: null,
      registry_password_set: false,
      cuda_version: { version: "11.8" },
      framework: { name: "pytorch" },
      domain: "nlp",
      tasks: ["Predict", "Train"],
      min_hardware_generation: { name: "ampere" },
      cpu: false,
      licence: "apache-2.0",
      revision: { commit: MERGE_SHA, branch: "main", tag: null },
      tags: [
        { tag: "0.0.1", protected: true },
        { tag: "latest", protected: false },
      ],
    });
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.url).toBe(`${repository}:0.0.1@${image.digest}`);
    expect(image.revision.repository_url).toMatch(/^http/);
    // The hub's own registry credentials never reach a record.
    expect(listed.text).not.toContain(registry.password);
  });

  it("refuses to delete the published image while its tags point at it", async () => {
    const [image] = (await api("POST", "/v1/docker/list")).json;
    const refused = await api("DELETE", `/v1/docker/${image.pk}`, undefined, TOKEN);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toContain("0.0.1 (protected), latest");
  });

  it("shows on the page, in the search API and as a badge", async () => {
    const search = await fetch(`${server.url}/api/v1/images?q=awesome`);
    expect(search.headers.get("x-total-count")).toBe("1");
    const detail = await api("GET", "/api/v1/images/encoder/AwesomeEncoder");
    expect(detail.json.versions[0]).toMatchObject({ version: "0.0.1", commit: MERGE_SHA, branch: "main" });
    const page = await api("GET", "/catalogue/encoder/AwesomeEncoder");
    expect(page.status).toBe(200);
    expect(page.text).toContain(detail.json.versions[0].digest);
    expect(page.text).toContain(
      `docker pull ${registry.host}/jinahub/pod.encoder.awesomeencoder:0.0.1@sha256:`,
    );
    const badge = await api("GET", "/badge/encoder/AwesomeEncoder.svg");
    expect(badge.text).toContain("0.0.1");
  });

  it("is listed by `hubgate published`, locally from any folder and from the server", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "hubgate-elsewhere-"));
    try {
      const local = await runCli(["published", "--kind", "encoder"], elsewhere, {
        HUBGATE_DATA_DIR: dataDir,
      });
      expect(local.code).toBe(0);
      const [header, row] = local.stdout.trim().split("\n");
      expect(header).toMatch(
        /^KIND\s+NAME\s+VERSION\s+TAGS\s+DIGEST\s+COMMIT\s+BRANCH\s+GIT TAG\s+PUBLISHED\s+STATUS$/,
      );
      expect(row).toMatch(
        /^encoder\s+AwesomeEncoder\s+0\.0\.1\s+0\.0\.1,latest\s+sha256:[0-9a-f]{64}\s+eeeeeeeeeeee\s+main\s+-\s+\S+\s+current$/,
      );
      const remote = await runCli(["published", "--server", server.url, "--format", "json"], elsewhere, {
        HUBGATE_DATA_DIR: join(elsewhere, "none"),
      });
      expect(remote.code).toBe(0);
      expect(JSON.parse(remote.stdout)).toEqual([
        expect.objectContaining({ name: "AwesomeEncoder", version: "0.0.1" }),
      ]);
      const none = await runCli(["published", "--name", "Nothing"], elsewhere, { HUBGATE_DATA_DIR: dataDir });
      expect(none.stdout).toContain("no published image matches");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("deprecates the version from the CLI through the server; it shows as deprecated everywhere", async () => {
    const noToken = await runCli(
      ["deprecate", "encoder", "AwesomeEncoder", "0.0.1", "--reason", "x", "--server", server.url],
      undefined,
      {
        HUBGATE_CATALOGUE_TOKEN: "",
      },
    );
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("401");
    const done = await runCli(
      [
        "deprecate",
        "encoder",
        "AwesomeEncoder",
        "0.0.1",
        "--reason",
        "use 0.0.2: <b>tokeniser</b> bug",
        "--server",
        server.url,
      ],
      undefined,
      { HUBGATE_CATALOGUE_TOKEN: TOKEN },
    );
    expect(done.stderr).toBe("");
    expect(done.stdout).toBe("deprecated encoder/AwesomeEncoder 0.0.1: use 0.0.2: <b>tokeniser</b> bug\n");
    const page = await api("GET", "/catalogue/encoder/AwesomeEncoder");
    expect(page.text).toContain("Deprecated</span>: use 0.0.2: &lt;b&gt;tokeniser&lt;/b&gt; bug");
    expect((await api("GET", "/badge/encoder/AwesomeEncoder.svg")).text).toContain("0.0.1 deprecated");
    expect((await api("GET", "/api/v1/images/encoder/AwesomeEncoder")).json.versions[0].deprecated).toBe(
      true,
    );
    const published = await runCli(["published"], undefined, { HUBGATE_DATA_DIR: dataDir });
    expect(published.stdout).toContain("deprecated: use 0.0.2");
    // Deprecated, not deleted: the registry still serves it.
    const [image] = (await api("POST", "/v1/docker/list")).json;
    expect(image.deprecated).toBe(true);
  });
});
