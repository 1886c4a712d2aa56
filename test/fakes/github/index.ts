/**
 * Fake GitHub for tests: a real HTTP server (127.0.0.1, random port) that validates every request
 * against GitHub's OpenAPI description and keeps checks, pulls, contents and statuses in memory.
 *
 *   const fake = await startFakeGitHub();                      // fake.url → Octokit/Probot baseUrl
 *   fake.setCommit(owner, repo, sha, { "path": "text" });      // tree for contents/trees/compare/tarball
 *   fake.setPull(owner, repo, 1, { head: { sha }, base: { sha: baseSha }, files: [...] });
 *   const probot = new Probot({ appId: fake.appId, privateKey, baseUrl: fake.url, Octokit: TestOctokit });
 *   ... deliverWebhook({ url, secret, event: "pull_request", payload }) ...
 *   expect(fake.violations).toEqual([]);
 *   fake.checkRuns(owner, repo);                               // state incl. all annotations
 *   await fake.close();
 */
export * from "./fake-github.js";
export { getOpenApiIndex, type SpecLoadStats } from "./openapi-index.js";
export { TestOctokit, octokitFor } from "./octokit.js";
export * from "./webhook-delivery.js";
