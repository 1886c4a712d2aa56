/**
 * ChangeReporter for GitLab: one commit status per bundle on the head commit (in the source
 * project, which is the fork for fork MRs) and one MR note edited in place.
 *
 * States, as GitLab users read them:
 * - pending → running → success | failed, like a CI job of an external pipeline.
 * - A run superseded by a newer commit ends `canceled`, exactly what GitLab's own
 *   "auto-cancel redundant pipelines" does to the older pipeline.
 * - An infrastructure problem on our side ends `failed` with a description that starts
 *   "infrastructure problem on hubgate's side (not your change)". GitLab marks its own runner
 *   and API failures the same way (a failed job with a system failure reason), and the bundle
 *   must stay unmerged until it really was checked; `canceled` would claim someone stopped it,
 *   and `skipped` can count as success for "pipelines must succeed".
 */
import type { BundleLocation } from "../../core/bundle-layout.js";
import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";
import type { JobReporter } from "../../ports/job-platform.js";
import type { Phase } from "../../pipeline/image-pipeline.js";
import type { Logger } from "../../pipeline/logger.js";
import { gitlabFailure, httpStatusOf, type GitLabClient } from "./gitlab-client.js";
import {
  bundleStatus,
  INFRA_PREFIX,
  renderInfrastructureNote,
  renderProgressNote,
  renderResultNote,
  statusText,
  type NoteContext,
} from "../../report/gitlab-note.js";
import { bundleReport, outsideVerdict, reportModel, resultHeadline } from "../../report/report-model.js";
import type { GitLabNoteStore } from "./gitlab-note-store.js";

export type StatusState = "pending" | "running" | "success" | "failed" | "canceled";

const FINAL: ReadonlySet<StatusState> = new Set(["success", "failed", "canceled"]);
/** Status used when a run fails before it knows its bundles; also the default name prefix. */
export const GENERAL_STATUS = "hubgate";
const OUTSIDE = "files outside any bundle";

export interface GitLabReporterOptions {
  /** The MR's project and iid: the note lives there. */
  targetProjectId: number;
  iid: number;
  /** Statuses go on the head commit in the project that holds it (the fork for fork MRs). */
  statusProjectId: number;
  sha: string;
  /** The source branch, so GitLab attaches the statuses to the MR's pipeline for that ref. */
  ref: string;
  /** web_url of the project holding the head commit, for file:line links. */
  headWebUrl: string;
  /** The MR's web URL, the target of every status. */
  mrUrl: string;
  /** Where the MR note is kept; without it (publishing a merge) only statuses are written. */
  notes?: GitLabNoteStore;
  /** Status names are `<prefix>: <bundle path>`. */
  statusPrefix?: string;
  signal: AbortSignal;
  logger: Logger;
  /** True when images are built after the static check (deps.images is set). */
  builds?: boolean;
  /**
   * False when a newer run for the very same commit has started: those statuses are now its
   * own, so this run must not mark them canceled.
   */
  ownsStatuses?: () => boolean | Promise<boolean>;
}

export function statusName(bundlePath: string, prefix = GENERAL_STATUS): string {
  return statusText(`${prefix}: ${bundlePath}`);
}

export class GitLabReporter implements JobReporter {
  private readonly posted = new Map<string, StatusState>();
  private readonly results = new Map<string, BundleResult>();
  private planned_: BundleLocation[] = [];
  private outside: Finding[] = [];
  private noteId: number | undefined;
  private statusesOff = false;
  private readonly ctx: NoteContext;

  constructor(
    private readonly api: GitLabClient,
    private readonly options: GitLabReporterOptions,
  ) {
    this.ctx = { iid: options.iid, sha: options.sha, headWebUrl: options.headWebUrl };
  }

  async planned(bundles: BundleLocation[], outside: Finding[]): Promise<void> {
    this.planned_ = bundles;
    this.outside = outside;
    // With no bundle at all, finished() writes the one status and note that say why.
    if (bundles.length === 0) return;
    await this.writeNote(renderProgressNote(this.ctx, bundles, outside));
    for (const b of bundles)
      await this.status(this.nameOf(b.root), "pending", "queued: checking files and manifest.yml");
    if (outside.length)
      await this.status(this.nameOf(OUTSIDE), "pending", "checking where the changed files are");
  }

  async staticDone(result: BundleResult): Promise<void> {
    this.results.set(result.path, result);
    if (result.conclusion === "failure" || result.infrastructureError) await this.bundleStatus(result);
    else {
      const next = this.options.builds
        ? "building the image and running the smoke tests"
        : "finishing the report";
      await this.status(this.nameOf(result.path), "running", `static checks passed; ${next}`);
    }
  }

  async phase(bundlePath: string, phase: Phase): Promise<void> {
    // GitLab rejects running → running, so only the first phase can reach the status.
    if (this.posted.get(this.nameOf(bundlePath)) !== "pending") return;
    await this.status(this.nameOf(bundlePath), "running", PHASE_TEXT[phase]);
  }

  async bundleDone(result: BundleResult): Promise<void> {
    this.results.set(result.path, result);
    await this.bundleStatus(result);
  }

  async finished(result: CheckResult): Promise<void> {
    for (const b of result.bundles) this.results.set(b.path, b);
    const report = reportModel(result);
    if (result.bundles.length === 0) {
      // No bundle checked: the general status and the note say why (and what was found outside
      // the bundles), so "pipelines must succeed" has a result and the MR is never left silent.
      const { text } = resultHeadline(report);
      const failed = result.findings.some((f) => f.level === "error");
      await this.writeNote(renderResultNote(this.ctx, report));
      await this.status(this.general, failed ? "failed" : "success", result.nothingChecked?.message ?? text);
      return;
    }
    for (const b of result.bundles) await this.bundleStatus(b);
    if (result.findings.length || this.outside.length) {
      const verdict = result.findings.length ? outsideVerdict(result.findings) : undefined;
      // The findings (and the note) say where this hub's layout puts bundles.
      await this.status(
        this.nameOf(OUTSIDE),
        verdict?.failed ? "failed" : "success",
        verdict
          ? `${verdict.title}: ${verdict.headline} (see the note)`
          : "every changed file is inside a bundle",
      );
    }
    await this.writeNote(renderResultNote(this.ctx, report));
    await this.resolveGeneralStatus("checked: see the per-bundle statuses");
  }

  async infrastructureFailure(message: string): Promise<void> {
    const description = statusText(INFRA_PREFIX + message);
    const open = [
      ...this.planned_.map((b) => this.nameOf(b.root)),
      ...(this.outside.length ? [this.nameOf(OUTSIDE)] : []),
    ].filter((name) => !FINAL.has(this.posted.get(name) as StatusState));
    if (this.planned_.length === 0 && this.outside.length === 0)
      await this.status(this.general, "failed", description);
    for (const name of open) await this.status(name, "failed", description);
    await this.writeNote(
      renderInfrastructureNote(this.ctx, message, [...this.results.values()].map(bundleReport)),
    );
  }

  async cancelled(): Promise<void> {
    if ((await this.options.ownsStatuses?.()) === false) return;
    // The note is left to the newer run, which is already writing it.
    for (const [name, state] of this.posted) {
      if (!FINAL.has(state))
        await this.status(name, "canceled", "canceled: a newer commit superseded this check", true);
    }
  }

  /** Close what this job's commit still shows as pending or running under our names. */
  async abandon(reason: "superseded" | "interrupted", message: string): Promise<void> {
    if ((await this.options.ownsStatuses?.()) === false) return;
    for (const name of await this.openStatuses()) {
      if (reason === "superseded")
        await this.status(name, "canceled", "canceled: a newer commit superseded this check", true);
      else await this.status(name, "failed", INFRA_PREFIX + message, true);
    }
  }

  /** After a restart: statuses an earlier life left pending or running that this life did not write. */
  async closeStale(message: string): Promise<void> {
    for (const name of await this.openStatuses()) {
      if (!this.posted.has(name)) await this.status(name, "failed", INFRA_PREFIX + message, true);
    }
  }

  private async openStatuses(): Promise<string[]> {
    let statuses;
    try {
      statuses = await this.api.Commits.allStatuses(this.options.statusProjectId, this.options.sha, {
        ref: this.options.ref,
      });
    } catch (error) {
      throw gitlabFailure(`listing the statuses of ${this.options.sha}`, error);
    }
    const prefix = `${this.general}: `;
    // GitLab lists every status ever set, newest first: the first per name is its state.
    const latest = new Map<string, string>();
    for (const s of statuses)
      if (!latest.has(s.name as string)) latest.set(s.name as string, s.status as string);
    return [...latest]
      .filter(
        ([name, state]) =>
          (name === this.general || name.startsWith(prefix)) && (state === "pending" || state === "running"),
      )
      .map(([name]) => name);
  }

  private get general(): string {
    return this.options.statusPrefix ?? GENERAL_STATUS;
  }

  private nameOf(bundlePath: string): string {
    return statusName(bundlePath, this.options.statusPrefix);
  }

  private async bundleStatus(result: BundleResult): Promise<void> {
    const { state, description } = bundleStatus(bundleReport(result));
    await this.status(this.nameOf(result.path), state, description);
  }

  /** A `hubgate` status failed by an earlier run of this commit must not outlive a good run. */
  private async resolveGeneralStatus(description: string): Promise<void> {
    if (this.statusesOff || this.options.signal.aborted) return;
    let statuses;
    try {
      statuses = await this.api.Commits.allStatuses(this.options.statusProjectId, this.options.sha, {
        name: this.general,
        ref: this.options.ref,
      });
    } catch (error) {
      return this.statusWriteFailed(this.general, error);
    }
    if (statuses.some((s) => s.name === this.general && s.status !== "success")) {
      await this.status(this.general, "success", description);
    }
  }

  /** Ensure one status: skips what this run already wrote and never rewrites a final state. */
  private async status(name: string, state: StatusState, text: string, evenIfAborted = false): Promise<void> {
    if (this.statusesOff || (this.options.signal.aborted && !evenIfAborted)) return;
    const previous = this.posted.get(name);
    if (previous === state || (previous && FINAL.has(previous))) return;
    const targetUrl =
      this.noteId === undefined ? this.options.mrUrl : `${this.options.mrUrl}#note_${this.noteId}`;
    try {
      await this.api.Commits.editStatus(this.options.statusProjectId, this.options.sha, state, {
        name,
        ref: this.options.ref,
        targetUrl,
        description: statusText(text),
      });
    } catch (error) {
      // A redelivery after a restart finds the status already there: GitLab refuses
      // pending → pending and running → running, which is exactly the state we wanted.
      if (httpStatusOf(error) === 400 && /cannot transition status/i.test(String((error as Error).message))) {
        this.posted.set(name, state);
        return;
      }
      return this.statusWriteFailed(name, error);
    }
    this.posted.set(name, state);
  }

  private statusWriteFailed(name: string, error: unknown): void {
    const code = httpStatusOf(error);
    // No access to the fork's commit statuses: the note still carries the whole result.
    if (code === 401 || code === 403 || code === 404) {
      this.statusesOff = true;
      this.options.logger.warn(
        { status: code, project: this.options.statusProjectId, name },
        "cannot set commit statuses on this project; reporting in the merge request note only",
      );
      return;
    }
    throw gitlabFailure(`setting status "${name}" on ${this.options.sha}`, error);
  }

  private async writeNote(body: string, createIfMissing = true): Promise<void> {
    // An aborted run leaves the note to the run that superseded it.
    if (this.options.signal.aborted || !this.options.notes) return;
    const id = await this.options.notes.ensure(
      { projectId: this.options.targetProjectId, iid: this.options.iid },
      body,
      { createIfMissing },
    );
    if (id !== undefined) this.noteId = id;
  }
}

const PHASE_TEXT: Record<Phase, string> = {
  queued: "queued for the image build",
  build: "building the image",
  "smoke:run": "smoke test run: starting the image",
  "smoke:pod": "smoke test pod: waiting for the pod to become ready",
  "smoke:replicas": "smoke test replicas: starting three replicas",
  tag: "tagging the image",
  done: "done",
};
