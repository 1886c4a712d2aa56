/** Octokit clients for tests against the fake: Probot's Octokit with retries and throttling off. */
import { ProbotOctokit } from "probot";
import type { FakeGitHub } from "./fake-github.js";

/**
 * ProbotOctokit with the retry and throttling plugins disabled, so a 5xx from `failNext` reaches the
 * code under test at once instead of being retried (or waited on) by the client.
 * Use it as `new Probot({ ..., Octokit: TestOctokit })` too.
 */
export const TestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});

/** An installation-token client pointed at the fake (any token string is accepted). */
export function octokitFor(fake: FakeGitHub, token = "ghs_test"): InstanceType<typeof TestOctokit> {
  return new TestOctokit({ auth: { token }, baseUrl: fake.url });
}
