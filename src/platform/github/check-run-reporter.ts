import type { BundleLocation } from "../../core/bundle-layout.js";
import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";
import type { ChangeReporter } from "../../pipeline/change-request.js";
import type { Phase } from "../../pipeline/image-pipeline.js";
import type { Logger } from "../../pipeline/logger.js";
import { escapeMarkdown } from "../shared/markdown-text.js";
import { formatDuration } from "../shared/report-blocks.js";
import { renderFindingsList } from "./check-run-summary.js";
import {
  ANNOTATIONS_PER_REQUEST,
  annotationFor,
  annotationKey,
  checkRunSummary,
  checkRunText,
  checkRunTitle,
  MAX_ANNOTATIONS,
  type Annotation,
} from "./check-run-output.js";
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
}

export interface CheckRunReporterOptions {
  octokit: Octokit;
  repo: RepoRef;
  headSha: string;
  /** Kept on every run so re-runs find their PR even for forks (`check_run.pull_requests` is empty there). */
  externalId: string;
  /** `fresh` (re-run): new check runs; `ensure`: reuse runs of the same name on this commit. */
  mode: "ensure" | "fresh";
  htmlUrl: string;
  logger: Logger;
}

/** GitHub face of a check: one check run per bundle, annotations on the exact lines. */
export class CheckRunReporter implements ChangeReporter {
  private readonly runs = new Map<string, RunState>();

  constructor(private readonly o: CheckRunReporterOptions) {
    // Only owner and repo may be spread into requests: anything else becomes a query parameter.
    this.o = { ...o, repo: { owner: o.repo.owner, repo: o.repo.repo } };
  }

  private link = (f: Finding) =>
    `${this.o.htmlUrl}/blob/${this.o.headSha}/${f.file.split("/").map(encodeURIComponent).join("/")}#L${f.line}`;

  async planned(bundles: BundleLocation[], outside: Finding[]): Promise<void> {
    for (const bundle of bundles) {
      await this.ensureRun(checkRunName(bundle.root), {
        title: "Checking manifest and files…",
        summary: "hubgate is checking this bundle.",
      });
    }
    if (outside.length) {
      const state = await this.ensureRun(LAYOUT_CHECK, { title: "Files outside any bundle", summary: "" });
      const summary = `**❌ ${outside.length} file${outside.length === 1 ? " is" : "s are"} outside any bundle**\n\n${renderFindingsList(outside, this.link)}`;
      await this.complete(
        LAYOUT_CHECK,
        state,
        "failure",
        { title: "The pod bundle is badly placed", summary },
        outside.map((f) => annotationFor(f, "")!),
      );
    }
  }

  async staticDone(result: BundleResult): Promise<void> {
    const name = checkRunName(result.path);
    const state = await this.ensureRun(name, { title: "Checking…", summary: "" });
    const annotations = this.annotations(result);
    if (result.conclusion === "failure" || result.infrastructureError) return; // bundleDone reports it in full, once
    await this.update(
      state,
      {
        status: "in_progress",
        output: { title: "Manifest valid · building image…", summary: checkRunSummary(result, this.link) },
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
    await this.update(
      state,
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
    const state = await this.ensureRun(name, { title: "Checking…", summary: "" });
    const annotations = this.annotations(result);
    const omitted = Math.max(0, annotations.length - MAX_ANNOTATIONS);
    const output = {
      title: checkRunTitle(result),
      summary: checkRunSummary(result, this.link, omitted),
      text: checkRunText(result),
    };
    if (result.infrastructureError) {
      await this.complete(name, state, "neutral", output, annotations, true);
    } else {
      await this.complete(name, state, result.conclusion, output, annotations);
    }
  }

  async finished(_result: CheckResult): Promise<void> {}

  async infrastructureFailure(message: string): Promise<void> {
    const output = {
      title: "Not finished: infrastructure problem on hubgate's side",
      summary: `This is not a problem in your bundle.\n\n> ${escapeMarkdown(message)}\n\nUse **Re-run** to try again.`,
    };
    const open = [...this.runs].filter(([, s]) => !s.completed);
    if (open.length === 0) {
      const state = await this.ensureRun(`${CHECK_NAME_PREFIX}`, output);
      return this.complete(CHECK_NAME_PREFIX, state, "neutral", output, [], true);
    }
    for (const [name, state] of open) await this.complete(name, state, "neutral", output, [], true);
  }

  async cancelled(): Promise<void> {
    const output = {
      title: "Cancelled: a newer commit was pushed",
      summary: "A newer commit superseded this one; see its checks.",
    };
    for (const [name, state] of this.runs)
      if (!state.completed) await this.complete(name, state, "cancelled", output, []);
  }

  private annotations(result: BundleResult): Annotation[] {
    return result.findings
      .map((f) => annotationFor(f, result.path))
      .filter((a): a is Annotation => a !== undefined);
  }

  private async ensureRun(name: string, output: { title: string; summary: string }): Promise<RunState> {
    const known = this.runs.get(name);
    if (known) return known;
    const { octokit, repo, headSha } = this.o;
    if (this.o.mode === "ensure") {
      const existing = await octokit.rest.checks.listForRef({
        ...repo,
        ref: headSha,
        check_name: name,
        filter: "latest",
        per_page: 1,
      });
      const run = existing.data.check_runs[0];
      if (run) {
        const state = { id: run.id, posted: new Set<string>(), completed: false };
        this.runs.set(name, state);
        await this.update(state, { status: "in_progress", output }, []);
        return state;
      }
    }
    const created = await octokit.rest.checks.create({
      ...repo,
      name,
      head_sha: headSha,
      status: "in_progress",
      started_at: new Date().toISOString(),
      external_id: this.o.externalId,
      output,
    });
    const state = { id: created.data.id, posted: new Set<string>(), completed: false };
    this.runs.set(name, state);
    return state;
  }

  private async complete(
    name: string,
    state: RunState,
    conclusion: "success" | "failure" | "neutral" | "cancelled",
    output: { title: string; summary: string; text?: string },
    annotations: Annotation[],
    rerunButton = false,
  ): Promise<void> {
    state.completed = true;
    this.o.logger.info({ checkRun: name, conclusion }, "check run completed");
    await this.update(
      state,
      {
        status: "completed",
        conclusion,
        completed_at: new Date().toISOString(),
        output: output.text ? output : { title: output.title, summary: output.summary },
        ...(rerunButton ? { actions: [RERUN_ACTION] } : {}),
      },
      annotations,
    );
  }

  /** One update, then further ones carrying the remaining annotations 50 at a time (they append). */
  private async update(
    state: RunState,
    body: Record<string, unknown> & { output?: { title: string; summary: string } },
    annotations: Annotation[],
  ): Promise<void> {
    const fresh = annotations
      .filter((a) => !state.posted.has(annotationKey(a)))
      .slice(0, Math.max(0, MAX_ANNOTATIONS - state.posted.size));
    const batches: Annotation[][] = [];
    for (let i = 0; i < fresh.length; i += ANNOTATIONS_PER_REQUEST)
      batches.push(fresh.slice(i, i + ANNOTATIONS_PER_REQUEST));
    const { octokit, repo } = this.o;
    const [first, ...rest] = batches;
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: state.id,
      ...body,
      ...(body.output ? { output: { ...body.output, ...(first ? { annotations: first } : {}) } } : {}),
    } as Parameters<Octokit["rest"]["checks"]["update"]>[0]);
    for (const batch of rest) {
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: state.id,
        output: { title: body.output!.title, summary: body.output!.summary, annotations: batch },
      });
    }
    for (const a of fresh) state.posted.add(annotationKey(a));
  }
}
