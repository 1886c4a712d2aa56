import type { ProbotOctokit } from "probot";

/** The authenticated installation client Probot hands each event. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}
