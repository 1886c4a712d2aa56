import {
  mergeAwesomeEncoder,
  startGitLabMergeStack,
  type GitLabMergeStack,
} from "../helpers/gitlab-merge-stack.js";

describe("a merged GitLab merge request's image in the catalogue", () => {
  let stack: GitLabMergeStack;
  beforeAll(async () => {
    stack = await startGitLabMergeStack({ HUBGATE_CATALOGUE_TOKEN: "gitlab-catalogue-token" });
  });
  afterAll(() => stack.close());

  it("is recorded with the revision from the event: project URL, merge commit, target branch", async () => {
    const { server, registry } = stack;
    const mergeSha = await mergeAwesomeEncoder(stack);

    const listed = await fetch(`${server.url}/v1/docker/list`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "encoder" }),
    });
    const text = await listed.text();
    const [image] = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(image).toMatchObject({
      name: "AwesomeEncoder",
      version: "0.0.1",
      registry_url: registry.url,
      revision: {
        repository_url: expect.stringContaining("/jina/hub"),
        commit: mergeSha,
        branch: "main",
        tag: null,
      },
      tags: [
        { tag: "0.0.1", protected: true },
        { tag: "latest", protected: false },
      ],
    });
    expect(image!.url).toBe(
      `${registry.host}/gitlabhub/pod.encoder.awesomeencoder:0.0.1@${String(image!.digest)}`,
    );
    expect(text).not.toContain(registry.password);
  });
});
