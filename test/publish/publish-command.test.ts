import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listPublished } from "../../src/publish/list-published.js";
import { RegistryClient } from "../../src/publish/registry-client.js";
import { GitRepo } from "../helpers/git-repo.js";
import { freePort, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { ROOT, runCli } from "../helpers/run-cli.js";
import { ensureBaseImage, uniqueName } from "./test-images.js";

const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");

interface PublishJson {
  conclusion: string;
  bundles: Array<{ path: string; conclusion: string }>;
  publish: {
    registry: string | null;
    dryRun: boolean;
    bundles: Array<{ path: string; status: string; references: string[]; digest?: string; message: string }>;
  };
}

let registry: RegistryServer;
let repo: GitRepo;
let dataDir: string;
let name: string;
let bundlePath: string;
let repository: string;

beforeAll(async () => {
  ensureBaseImage();
  registry = await startRegistry();
  name = uniqueName("CliProbe");
  bundlePath = `executors/encoders/${name}`;
  repository = `jinahub/pod.encoder.${name.toLowerCase()}`;
  repo = new GitRepo().copy(AWESOME, bundlePath);
  const manifest = join(repo.dir, bundlePath, "manifest.yml");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("name: AwesomeEncoder", `name: ${name}`));
  repo.commit("a bundle to publish");
  dataDir = mkdtempSync(join(tmpdir(), "hubgate-cli-data-"));
  rmSync(dataDir, { recursive: true });
});

afterAll(async () => {
  await registry?.stop();
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  try {
    execFileSync("docker", ["rmi", "-f", `${repository}:0.0.1`], { stdio: "ignore" });
  } catch {
    // never built
  }
});

const env = (overrides: Record<string, string> = {}) => ({
  HUBGATE_REGISTRY: "",
  HUBGATE_REGISTRY_USERNAME: registry.username,
  HUBGATE_REGISTRY_PASSWORD: registry.password,
  HUBGATE_DATA_DIR: dataDir,
  HUBGATE_NAMESPACE: "",
  ...overrides,
});
const client = () =>
  new RegistryClient({
    url: registry.url,
    credentials: { username: registry.username, password: registry.password },
  });

describe("hubgate publish (spawned)", () => {
  it("without a registry: exit 2 and says how to configure it", () => {
    const { code, stdout, stderr } = runCli(["publish", bundlePath], repo.dir, env());
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      "publishing is not configured: set HUBGATE_REGISTRY (host[:port]) or pass --registry",
    );
  });

  it("rejects formats other than text and json", () => {
    const { code, stderr } = runCli(["publish", bundlePath, "--format", "sarif"], repo.dir, env());
    expect(code).toBe(2);
    expect(stderr).toContain("publish supports --format text or json");
  });

  it("--dry-run builds and checks, says what would be pushed, pushes and records nothing", async () => {
    const { code, stdout, stderr } = runCli(
      ["publish", bundlePath, "--dry-run", "--format", "json"],
      repo.dir,
      env({ HUBGATE_REGISTRY: registry.host }),
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as PublishJson;
    expect(result.conclusion).toBe("success");
    expect(result.publish).toMatchObject({
      registry: registry.host,
      dryRun: true,
      bundles: [
        {
          path: bundlePath,
          status: "would-publish",
          references: [`${registry.host}/${repository}:0.0.1`, `${registry.host}/${repository}:latest`],
        },
      ],
    });
    expect(await client().manifestDigest(repository, "0.0.1")).toBeUndefined();
    expect(existsSync(dataDir)).toBe(false);
  });

  it("publishes for real, records it, and a re-run is 'unchanged' (exit 0)", async () => {
    const first = runCli(["publish", bundlePath, "--registry", registry.host], repo.dir, env());
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const target = `${registry.host}/${repository}`;
    expect(first.stdout).toContain(`publish to ${registry.host}\n`);
    expect(first.stdout).toMatch(
      new RegExp(`^  ${bundlePath}  published: pushed ${target}:0\\.0\\.1 \\(digest sha256:`, "m"),
    );
    expect(first.stdout).toMatch(/^1 published$/m);
    expect(first.stdout).not.toContain(registry.password);

    const digest = await client().manifestDigest(repository, "0.0.1");
    expect(digest).toMatch(/^sha256:/);
    expect(await client().manifestDigest(repository, "latest")).toBe(digest);
    const records = await listPublished(dataDir);
    expect(records).toEqual([
      expect.objectContaining({
        name,
        kind: "encoder",
        version: "0.0.1",
        repository: target,
        digest,
        commit: repo.git("rev-parse", "HEAD"),
      }),
    ]);

    // A re-run rebuilds (new build date label) from the cache: same content, nothing pushed.
    const again = runCli(
      ["publish", bundlePath, "--format", "json"],
      repo.dir,
      env({ HUBGATE_REGISTRY: registry.host }),
    );
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout) as PublishJson;
    expect(result.publish.bundles).toEqual([
      expect.objectContaining({ path: bundlePath, status: "unchanged", digest }),
    ]);
  });

  it("wrong credentials: exit 2 before any build, the message says so and never shows the password", () => {
    const wrong = "definitely-wrong-pass-99";
    const { code, stdout, stderr } = runCli(
      ["publish", bundlePath, "--registry", registry.host],
      repo.dir,
      env({ HUBGATE_REGISTRY_PASSWORD: wrong }),
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `hubgate: registry at ${registry.host} rejected the credentials of user "${registry.username}"; ` +
        "check HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD; nothing was built or pushed\n",
    );
    expect(stdout + stderr).not.toContain(wrong);
  });

  it("registry down: exit 2, says it is unreachable", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const { code, stderr } = runCli(
      ["publish", bundlePath, "--dry-run"],
      repo.dir,
      env({ HUBGATE_REGISTRY: host }),
    );
    expect(code).toBe(2);
    expect(stderr).toContain(`registry at ${host} is unreachable (ECONNREFUSED)`);
  });
});
