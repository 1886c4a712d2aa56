import { listPublished } from "../../../src/publish/list-published.js";
import { registryDigest } from "../../helpers/registry-server.js";
import {
  mergeAwesomeEncoder,
  startGitLabMergeStack,
  type GitLabMergeStack,
} from "../../helpers/gitlab-merge-stack.js";

describe("a merged GitLab merge request publishes to the real registry", () => {
  let stack: GitLabMergeStack;
  beforeAll(async () => {
    stack = await startGitLabMergeStack();
  });
  afterAll(() => stack.close());

  it("builds the merge commit, pushes version and latest, and reports it on the merge commit", async () => {
    const { registry, gitlab, dataDir } = stack;
    const mergeSha = await mergeAwesomeEncoder(stack);

    const [record] = await listPublished(dataDir);
    expect(record).toMatchObject({
      version: "0.0.1",
      repository: `${registry.host}/gitlabhub/pod.encoder.awesomeencoder`,
    });
    expect(await registryDigest(registry, "gitlabhub/pod.encoder.awesomeencoder", "latest")).toBe(
      record!.digest,
    );
    const statuses = [...gitlab.latestStatuses(1, mergeSha).values()];
    expect(statuses.map((s) => s.status)).toContain("success");
    expect(JSON.stringify(statuses)).not.toContain(registry.password);
  });
});
