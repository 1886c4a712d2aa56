import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Catalogue } from "../../src/catalogue/catalogue-store.js";
import { RegistryClient } from "../../src/publish/registry-client.js";
import { GitRepo } from "../helpers/git-repo.js";
import { ADMIN_TOKEN, startHubgateAuth, type HubgateAuth } from "../helpers/hubgate-auth.js";
import { ROOT, runCli } from "../helpers/run-cli.js";
import { ensureBaseImage, pushEvents, uniqueName } from "./test-images.js";
import Docker from "dockerode";

/**
 * The jina-hub-push-tags workflow with `hubgate publish` (spawned), into an organisation's
 * namespace of a real registry whose token server is hubgate: the publisher authenticates
 * with the admin token, members see the published repository in `hubgate repos list`.
 */
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");

interface PublishJson {
  publish: {
    bundles: Array<{
      status: string;
      references: string[];
      digest?: string;
      imageId?: string;
      refusedTag?: string;
      message: string;
    }>;
  };
}

let auth: HubgateAuth;
let repo: GitRepo;
let org: string;
let name: string;
let bundlePath: string;
let repository: string;
let client: RegistryClient;
const built: string[] = [];

beforeAll(async () => {
  ensureBaseImage();
  auth = await startHubgateAuth();
  org = uniqueName("org");
  name = uniqueName("Tagged");
  bundlePath = `executors/encoders/${name}`;
  repository = `${org}/pod.encoder.${name.toLowerCase()}`;
  repo = new GitRepo().copy(AWESOME, bundlePath);
  // The hub maps the encoders folder to the organisation: the bot publishes into its namespace.
  repo.write(".hubgate.yml", `organizations:\n  - organization: ${org}\n    folders: [executors/encoders]\n`);
  setManifest("0.0.1", "");
  client = new RegistryClient({
    url: auth.registry.url,
    credentials: { username: "hubgate", password: ADMIN_TOKEN },
  });
  expect(auth.admin("orgs", "create", org).code).toBe(0);
  expect(auth.admin("orgs", "add-member", org, "carol").code).toBe(0);
}, 60_000);

afterAll(async () => {
  await auth?.stop();
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
  for (const image of built) execFileSync("docker", ["rmi", "-f", image], { stdio: "ignore" });
});

function setManifest(version: string, extra: string) {
  const file = join(repo.dir, bundlePath, "manifest.yml");
  const folder = bundlePath.split("/").at(-1)!;
  const text = readFileSync(join(AWESOME, "manifest.yml"), "utf8")
    .replace("name: AwesomeEncoder", `name: ${folder}`)
    .replace("version: 0.0.1", `version: ${version}`);
  writeFileSync(file, text + extra);
  repo.commit(`version ${version}`);
  built.push(`jinahub/pod.encoder.${folder.toLowerCase()}:${version}`);
}

function publish(...flags: string[]) {
  const result = runCli(["publish", bundlePath, "--format", "json", ...flags], repo.dir, {
    HUBGATE_REGISTRY: auth.registry.host,
    HUBGATE_REGISTRY_USERNAME: "hubgate",
    HUBGATE_REGISTRY_PASSWORD: ADMIN_TOKEN,
    // The same data dir as the server: one store for publish records and organisations.
    HUBGATE_DATA_DIR: auth.dataDir,
  });
  const json = JSON.parse(result.stdout || "{}") as PublishJson;
  return { ...result, outcome: json.publish?.bundles[0] };
}

const tags = async () => (await client.tags(repository)).sort();
const digest = (tag: string) => client.manifestDigest(repository, tag);

describe("tags and protected tags (jina hub push -t / --protected-tag)", () => {
  it("tags as the seed says, refuses a protected tag pushed twice, and publishes into the organisation", async () => {
    // jina hub push .  → one tag besides the version: latest
    const first = publish();
    expect(first.code).toBe(0);
    expect(await tags()).toEqual(["0.0.1", "latest"]);

    // tags: in the manifest → those tags only; latest stays on 0.0.1
    setManifest("0.0.2", "tags: [gpu]\n");
    const second = publish();
    expect(second.code).toBe(0);
    expect(await tags()).toEqual(["0.0.1", "0.0.2", "gpu", "latest"]);
    expect(await digest("gpu")).toBe(second.outcome!.digest);
    expect(await digest("latest")).toBe(first.outcome!.digest);

    // jina hub push . -t gpu -t latest → both move
    setManifest("0.0.3", "");
    const third = publish("-t", "gpu", "-t", "latest", "--protected-tag", "stable");
    expect(third.code).toBe(0);
    expect(third.outcome!.references.map((r) => r.split(":").at(-1))).toEqual([
      "0.0.3",
      "latest",
      "gpu",
      "stable",
    ]);
    expect(await digest("latest")).toBe(third.outcome!.digest);
    expect(await digest("gpu")).toBe(third.outcome!.digest);
    expect(await digest("stable")).toBe(third.outcome!.digest);

    // A protected tag pushed again is refused, before anything is uploaded.
    setManifest("0.0.4", "protected_tags: [stable]\n");
    const since = new Date();
    const again = publish();
    expect(again.code).toBe(1);
    expect(again.outcome).toMatchObject({ status: "refused", refusedTag: "stable" });
    expect(again.outcome!.message).toContain('protected tag "stable"');
    expect(again.outcome!.message).toContain(third.outcome!.digest!);
    expect(again.outcome!.message).toContain(again.outcome!.imageId!);
    // The engine is shared: only pushes to this test's registry count.
    const pushes = await pushEvents(new Docker(), since, new Date());
    expect(pushes.filter((p) => p.startsWith(`${auth.registry.host}/`))).toEqual([]);
    expect(await tags()).not.toContain("0.0.4");
    expect(await digest("stable")).toBe(third.outcome!.digest);

    // The same content again is refused too: protected means pushed once.
    setManifest("0.0.3", "");
    const same = publish("--protected-tag", "stable");
    expect(same.outcome).toMatchObject({ status: "refused", refusedTag: "stable" });

    // The catalogue agrees with the registry: the same tags, the same protected ones, and a
    // tagged image is referenced (delete refused).
    const catalogue = Catalogue.open(auth.dataDir, { readOnly: true });
    try {
      const kind = "encoder";
      const series = catalogue.tagsOfSeries(kind, name).map((t) => ({
        tag: t.tag,
        protected: t.protected,
        version: catalogue.get(t.imagePk)?.version,
      }));
      expect(series).toEqual([
        { tag: "0.0.1", protected: true, version: "0.0.1" },
        { tag: "0.0.2", protected: true, version: "0.0.2" },
        { tag: "0.0.3", protected: true, version: "0.0.3" },
        { tag: "gpu", protected: false, version: "0.0.3" },
        { tag: "latest", protected: false, version: "0.0.3" },
        { tag: "stable", protected: true, version: "0.0.3" },
      ]);
      expect(catalogue.find(kind, name, "0.0.4")).toBeUndefined();
    } finally {
      catalogue.close();
    }

    // Members of the organisation see the repository the bot published.
    const carol = auth.userToken("carol");
    const list = auth.as(carol, "repos", "list");
    expect(list.stdout).toContain(`${auth.registry.host}/${repository}`);
  });

  it("rejects bad tags on the command line before building anything", () => {
    const bad = runCli(["publish", bundlePath, "-t", "1.2.3"], repo.dir, {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-t "1.2.3" is a version');
    const latest = runCli(["publish", bundlePath, "--protected-tag", "latest"], repo.dir, {});
    expect(latest.code).toBe(2);
    expect(latest.stderr).toContain('"latest" cannot be protected');
  });
});
