/**
 * Prometheus metrics of the gateway (prom-client), on their own registry so two servers in
 * one process (tests) never share counters. Served at `GET /metrics`.
 */
import client from "prom-client";
import type { ApiObserver } from "../platform/api-observer.js";
import type { JobState } from "../ports/job-queue.js";
import type { DispatchObserver } from "./dispatch.js";

export interface Metrics {
  registry: client.Registry;
  api: ApiObserver;
  dispatch: DispatchObserver;
  /** A webhook was answered: `outcome` is its HTTP status class or accepted/duplicate/ignored. */
  delivery(platform: string, outcome: string, seconds: number): void;
}

export function createMetrics(counts: () => Promise<Record<JobState, number>>): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "hubgate_" });
  const deliveries = new client.Counter({
    name: "hubgate_webhook_deliveries_total",
    help: "Webhook deliveries answered, by platform and outcome",
    labelNames: ["platform", "outcome"],
    registers: [registry],
  });
  const ack = new client.Histogram({
    name: "hubgate_webhook_ack_seconds",
    help: "Time from a webhook request to its answer (the job is on disk by then)",
    labelNames: ["platform"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: "hubgate_jobs",
    help: "Jobs in the store by state (queued, running, cancel, done)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const c = await counts();
      for (const [state, n] of Object.entries(c)) this.set({ state }, n);
    },
  });
  const duration = new client.Histogram({
    name: "hubgate_job_duration_seconds",
    help: "Job time by kind and phase: wait (accepted → started) and run (started → reported)",
    labelNames: ["kind", "phase"],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const outcomes = new client.Counter({
    name: "hubgate_job_outcomes_total",
    help: "Jobs ended, by kind and conclusion (success, failure, cancelled, interrupted, retry, …)",
    labelNames: ["kind", "conclusion"],
    registers: [registry],
  });
  const accepted = new client.Counter({
    name: "hubgate_jobs_accepted_total",
    help: "Jobs offered by webhooks, by platform, kind and outcome (queued or duplicate)",
    labelNames: ["platform", "kind", "outcome"],
    registers: [registry],
  });
  const apiErrors = new client.Counter({
    name: "hubgate_platform_api_errors_total",
    help: "Failed platform API calls, by platform and HTTP status (none: no answer)",
    labelNames: ["platform", "status"],
    registers: [registry],
  });
  const apiRetries = new client.Counter({
    name: "hubgate_platform_api_retries_total",
    help: "Platform API calls retried, by platform and reason",
    labelNames: ["platform", "reason"],
    registers: [registry],
  });
  return {
    registry,
    api: {
      error: (platform, status) =>
        apiErrors.inc({ platform, status: status === undefined ? "none" : String(status) }),
      retry: (platform, reason) => apiRetries.inc({ platform, reason }),
    },
    dispatch: {
      accepted: (spec, outcome) => accepted.inc({ platform: spec.platform, kind: spec.kind, outcome }),
      finished: (job, outcome, conclusion, ms) => {
        if (job.attempts === 1)
          duration.observe(
            { kind: job.kind, phase: "wait" },
            Math.max(0, Date.now() - ms - job.createdAt) / 1000,
          );
        duration.observe({ kind: job.kind, phase: "run" }, ms / 1000);
        outcomes.inc({
          kind: job.kind,
          conclusion: conclusion ?? (outcome.status === "done" ? "done" : "retry"),
        });
      },
    },
    delivery(platform, outcome, seconds) {
      deliveries.inc({ platform, outcome });
      ack.observe({ platform }, seconds);
    },
  };
}
