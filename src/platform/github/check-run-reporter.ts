import type { BundleLocation } from "../../core/bundle-layout.js";
import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";
import type { JobReporter } from "../../ports/job-platform.js";
import type { Phase } from "../../pipeline/image-pipeline.js";
import type { Logger } from "../../pipeline/logger.js";
import {
  annotationKey,
  checkRunSummary,
  checkRunText,
  checkRunTitle,
  generalRunOutput,
  githubLink,
  infrastructureOutput,
  interruptedOutput,
  nothingCheckedOutput,
  outsideOutput,
  runAnnotations,
  type Annotation,
  type CheckRunOutput,
} from "../../report/github-check-run.js";
import { LIMITS } from "../../report/limits.js";
import { formatDuration } from "../../report/markdown-blocks.js";
import { bundleReport, reportModel } from "../../report/report-model.js";
import type { Octokit, RepoRef } from "./octokit.js";

export const CHECK_NAME_PREFIX = "hubgate";
export const RERUN_ACTION = {
  label: "Re-run",
  identifier: "rerun",
  description: "Run hubgate again for this commit",
};
const LAYOUT_CHECK = `${CHECK_NAME_PREFIX}: hub layout`;

export function checkRunName(bundlePath: string): string {
  return `${CHECK_NAME_PREFIX}: ${bundlePath}`;
}

interface RunState {
  id: number;
  posted: Set<string>;
  completed: boolean;
  /** Touched by this life of the job (created, found and updated). */
  touched: boolean;
  /** The result the run was completed with, to skip an identical second completion. */
  finalKey?: string;
}

type Conclusion = "success" | "failure" | "neutral" | "cancelled";

export interface CheckRunReporterOptions {
  octokit: Octokit;
  repo: RepoRef;
  headSha: string;
  /**
   * Derived from the job (`{"pr":7,"job":42}`): kept on every run so re-runs find their PR
   * even for forks (`check_run.pull_requests` is empty there), and so the job finds the runs
   * it created in an earlier life, or whose create reply was lost, instead of duplicating them.
   */
  externalId: string;
  htmlUrl: string;
  logger: Logger;
  /** Whether images are built after the static check; when not, a run is completed at once. */
  builds: boolean;
}

/**
 * GitHub face of a check: one check run per bundle, annotations on the exact lines.
 * Few writes, because Probot's client spaces writes: a bundle's run is created with its static
 * result and first 50 annotations in one call (completed at once when no build follows), and
 * completed with one more call after the build.
 */
export class CheckRunReporter implements JobReporter {
  private readonly runs = new Map<string, RunState>();
  private existing: Map<string, { id: number; completed: boolean }> | undefined;

  constructor(private readonly o: CheckRunReporterOptions) {
    // Only owner and repo may be spread into requests: anything else becomes a query parameter.
    this.o = { ...o, repo: { owner: o.repo.owner, repo: o.repo.repo } };
  }

  private get link() {
    return githubLink(this.o.htmlUrl, this.o.headSha);
  }

  /** The job waits for a free runner: one `queued` run now, completed when the job has reported. */
  async queued(): Promise<void> {
    await this.write(
      CHECK_NAME_PREFIX,
      {
        status: "queued",
        output: {
          title: "Queued",
          summary:
            "hubgate is busy with other pull requests; this commit is checked as soon as a runner is free.",
        },
      },
      [],
    );
  }

  async planned(bundles: BundleLocation[], outside: Finding[]): Promise<void> {
    // Bundles get their run with their static result (staticDone): one write instead of two.
    // With no bundle at all, finished() writes the one run that says why, outside findings included.
    if (outside.length && bundles.length) {
      // Loose files, the hub's own configuration: the headline and conclusion follow what was found.
      const { failed, ...output } = outsideOutput(outside, this.link);
      await this.complete(
        LAYOUT_CHECK,
        failed ? "failure" : "neutral",
        output,
        runAnnotations(outside).annotations,
      );
    }
  }

  async staticDone(result: BundleResult): Promise<void> {
    const buildFollows = this.o.builds && result.conclusion !== "failure" && !result.infrastructureError;
    // Nothing follows: the static result is the whole result, completed in the same call.
    if (!buildFollows) return this.bundleDone(result);
    const report = bundleReport(result);
    const { annotations, notAnnotated } = runAnnotations(result.findings, result.path);
    await this.write(
      checkRunName(result.path),
      {
        status: "in_progress",
        output: {
          title: "Manifest valid · building image…",
          summary: checkRunSummary(report, this.link, notAnnotated),
        },
      },
      annotations,
    );
  }

  async phase(bundlePath: string, phase: Phase, elapsedMs: number): Promise<void> {
    const state = this.runs.get(checkRunName(bundlePath));
    if (!state || state.completed) return;
    const what =
      phase === "build"
        ? "Building image"
        : phase === "tag"
          ? "Tagging"
          : `Smoke test ${phase.replace("smoke:", "")}`;
    await this.write(
      checkRunName(bundlePath),
      {
        output: {
          title: `${what}… (${formatDuration(elapsedMs)})`,
          summary: `Phase: **${phase}**, running for ${formatDuration(elapsedMs)}.`,
        },
      },
      [],
    );
  }

  async bundleDone(result: BundleResult): Promise<void> {
    const name = checkRunName(result.path);
    const finalKey = JSON.stringify(result);
    if (this.runs.get(name)?.finalKey === finalKey) return; // completed with this very result already
    const report = bundleReport(result);
    const { annotations, notAnnotated } = runAnnotations(result.findings, result.path);
    const text = checkRunText(report);
    const output = {
      title: checkRunTitle(report),
      summary: checkRunSummary(report, this.link, notAnnotated),
      ...(text ? { text } : {}),
    };
    if (result.infrastructureError) await this.complete(name, "neutral", output, annotations, true);
    else await this.complete(name, result.conclusion, output, annotations);
    this.runs.get(name)!.finalKey = finalKey;
  }

  async finished(result: CheckResult): Promise<void> {
    if (result.bundles.length === 0) {
      // No bundle checked: one run, under the general name, says why (it also completes the
      // `queued` run of that name). A change to the README is never left without a result.
      const report = reportModel(result);
      const { failed, ...output } = nothingCheckedOutput(report, this.link);
      await this.complete(
        CHECK_NAME_PREFIX,
        failed ? "failure" : "success",
        output,
        runAnnotations(report.outside).annotations,
      );
      return;
    }
    // The general run this job showed while queued, or an earlier attempt's "infrastructure
    // problem" run: the commit is now checked, so it must not keep saying otherwise.
    const general = (await this.loadExisting()).get(CHECK_NAME_PREFIX);
    if (general && !this.runs.get(CHECK_NAME_PREFIX)?.completed) {
      const { conclusion, ...output } = generalRunOutput(reportModel(result));
      await this.complete(CHECK_NAME_PREFIX, conclusion, output, [], conclusion === "neutral");
    }
  }

  async infrastructureFailure(message: string): Promise<void> {
    const output = infrastructureOutput(message);
    await this.loadExisting();
    const open = [...this.runs].filter(([, s]) => !s.completed).map(([name]) => name);
    if (this.openGeneral() && !open.includes(CHECK_NAME_PREFIX)) open.push(CHECK_NAME_PREFIX);
    if (open.length === 0) return this.complete(CHECK_NAME_PREFIX, "neutral", output, [], true);
    for (const name of open) await this.complete(name, "neutral", output, [], true);
  }

  /** The general run shown while the job was queued, still open. */
  private openGeneral(): boolean {
    const general = this.existing?.get(CHECK_NAME_PREFIX);
    const here = this.runs.get(CHECK_NAME_PREFIX);
    return here ? !here.completed : general !== undefined && !general.completed;
  }

  async cancelled(): Promise<void> {
    await this.loadExisting();
    for (const [name, state] of this.runs)
      if (!state.completed) await this.complete(name, "cancelled", CANCELLED, []);
    if (this.openGeneral()) await this.complete(CHECK_NAME_PREFIX, "cancelled", CANCELLED, []);
  }

  async abandon(reason: "superseded" | "interrupted", message: string): Promise<void> {
    await this.loadExisting(true);
    for (const [name, run] of this.existing!) {
      if (run.completed || this.runs.get(name)?.completed) continue;
      if (reason === "superseded") await this.complete(name, "cancelled", CANCELLED, []);
      else await this.complete(name, "neutral", interruptedOutput(message), [], true);
    }
  }

  async closeStale(message: string): Promise<void> {
    await this.loadExisting(true);
    for (const [name, run] of this.existing!) {
      if (run.completed || this.runs.get(name)?.touched) continue;
      await this.complete(name, "neutral", interruptedOutput(message), [], true);
    }
  }

  /** This job's runs on the commit, by name: found by external_id, so only our own. */
  private async loadExisting(fresh = false): Promise<Map<string, { id: number; completed: boolean }>> {
    if (this.existing && !fresh) return this.existing;
    const { octokit, repo, headSha } = this.o;
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...repo,
      ref: headSha,
      filter: "all",
      per_page: 100,
    });
    const mine = new Map<string, { id: number; completed: boolean }>();
    for (const run of runs) {
      if (run.external_id !== this.o.externalId || !run.name.startsWith(CHECK_NAME_PREFIX)) continue;
      if (!mine.has(run.name) || mine.get(run.name)!.id < run.id)
        mine.set(run.name, { id: run.id, completed: run.status === "completed" });
    }
    this.existing = mine;
    return mine;
  }

  private async complete(
    name: string,
    conclusion: Conclusion,
    output: CheckRunOutput,
    annotations: Annotation[],
    rerunButton = false,
  ): Promise<void> {
    this.o.logger.info({ checkRun: name, conclusion }, "check run completed");
    await this.write(
      name,
      {
        status: "completed",
        conclusion,
        completed_at: new Date().toISOString(),
        output: output.text ? output : { title: output.title, summary: output.summary },
        ...(rerunButton ? { actions: [RERUN_ACTION] } : {}),
      },
      annotations,
    );
    this.runs.get(name)!.completed = true;
  }

  /**
   * Ensure the run `name` exists with `body`: update it when this job already has it (this
   * life, an earlier one, or a create whose reply was lost), else create it with the body and
   * the first 50 annotations in one call. Further annotations follow 50 at a time (they append).
   */
  private async write(
    name: string,
    body: Record<string, unknown> & { output?: { title: string; summary: string } },
    annotations: Annotation[],
  ): Promise<void> {
    let state = this.runs.get(name);
    if (!state) {
      const found = (await this.loadExisting()).get(name);
      if (found) {
        state = { id: found.id, posted: new Set(), completed: false, touched: true };
        this.runs.set(name, state);
      }
    }
    const perRun = LIMITS.github.annotationsPerRun;
    const perRequest = LIMITS.github.annotationsPerRequest;
    const fresh = annotations
      .filter((a) => !state?.posted.has(annotationKey(a)))
      .slice(0, Math.max(0, perRun - (state?.posted.size ?? 0)));
    const batches: Annotation[][] = [];
    for (let i = 0; i < fresh.length; i += perRequest) batches.push(fresh.slice(i, i + perRequest));
    const { octokit, repo } = this.o;
    const [first, ...rest] = batches;
    const output = body.output
      ? { output: { ...body.output, ...(first ? { annotations: first } : {}) } }
      : {};
    if (state) {
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: state.id,
        ...body,
        ...output,
      } as Parameters<Octokit["rest"]["checks"]["update"]>[0]);
    } else {
      const id = await this.create(name, { ...body, ...output });
      state = { id, posted: new Set(), completed: false, touched: true };
      this.runs.set(name, state);
    }
    for (const batch of rest) {
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: state.id,
        output: { title: body.output!.title, summary: body.output!.summary, annotations: batch },
      });
    }
    for (const a of fresh) state.posted.add(annotationKey(a));
  }

  /** Create a run; when the reply is lost, look for it before trying again, never duplicating it. */
  private async create(name: string, body: Record<string, unknown>): Promise<number> {
    const { octokit, repo, headSha } = this.o;
    const request = {
      ...repo,
      name,
      head_sha: headSha,
      external_id: this.o.externalId,
      ...(body.status === "completed" ? {} : { started_at: new Date().toISOString() }),
      ...body,
    } as Parameters<Octokit["rest"]["checks"]["create"]>[0];
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await octokit.rest.checks.create(request);
        return created.data.id;
      } catch (error) {
        const status = (error as { status?: number }).status;
        // 4xx: GitHub refused it (nothing was created); the client already retried what it could.
        if (attempt >= 3 || (status !== undefined && status >= 400 && status < 500)) throw error;
        const found = (await this.loadExisting(true)).get(name);
        this.o.logger.warn(
          { checkRun: name, status, found: found !== undefined },
          "creating a check run failed; looked for it before trying again",
        );
        if (found) {
          // The lost create carried the first annotations already: updating must not repeat them.
          const output = body.output as { annotations?: unknown } | undefined;
          const { annotations: _posted, ...withoutAnnotations } = output ?? {};
          await octokit.rest.checks.update({
            ...repo,
            check_run_id: found.id,
            ...body,
            ...(output ? { output: withoutAnnotations } : {}),
          } as Parameters<Octokit["rest"]["checks"]["update"]>[0]);
          return found.id;
        }
      }
    }
  }
}

const CANCELLED = {
  title: "Cancelled: a newer commit was pushed",
  summary: "A newer commit superseded this one; see its checks.",
};
