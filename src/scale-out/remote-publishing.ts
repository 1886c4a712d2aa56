import type { ConnectionOptions } from "bullmq";
import type { Catalogue } from "../catalogue/catalogue-store.js";
import { withImageOutcome } from "../pipeline/check-bundles.js";
import type { ImageOutcome, Phase } from "../pipeline/image-pipeline.js";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import type { RemotePublishing, RemotePublishRequest } from "../pipeline/publish-change.js";
import { publishSkip, type BundlePublish } from "../publish/publish-bundle.js";
import type { PublishSettings } from "../publish/publish-settings.js";
import type { PublishStore } from "../publish/publish-store.js";
import { protectedInCatalogue, recordPublishedInCatalogue } from "../publish/publisher.js";
import { packBundle } from "./bundle-archive.js";
import type { PublishJobData, PublishJobResult } from "./publish-job.js";
import { jobSubmitter } from "./job-submitter.js";
import { PUBLISH_QUEUE } from "./queue-keys.js";

export interface RemotePublishingOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Registry host and URL, and the namespace; never credentials (they stay on the workers). */
  settings: PublishSettings;
  /** The gateway's records and catalogue: workers read a copy, the gateway writes them. */
  store: PublishStore;
  catalogue?: Catalogue;
  attempts?: number;
  backoffMs?: number;
  logger?: Logger;
}

export interface GatewayPublishing extends RemotePublishing {
  close(): Promise<void>;
}

/**
 * The gateway's half of publishing in scale-out: each bundle of merged code becomes a job on
 * the `publish` queue, carrying its files, its static result and the gateway's records for its
 * repository. A publish worker builds, smoke-tests and pushes it (versions never overwritten,
 * `latest` only forward: src/publish decides, on the worker); the gateway records what the
 * worker reports (SQLite, catalogue) and reports it on the platform.
 *
 * The job id is a hash of all it carries. A gateway that restarts before it recorded a finished
 * publish asks again with the same records, so it gets the same job and its result, never a
 * second push; once recorded, a re-run carries the new records and finds the version unchanged.
 */
export function createRemotePublishing(options: RemotePublishingOptions): GatewayPublishing {
  const { settings, store, catalogue } = options;
  const logger = options.logger ?? silentLogger;
  const registry = settings.registry;
  if (!registry) throw new Error("publishing through workers needs HUBGATE_REGISTRY");
  // One publish at a time across all publish workers (BullMQ's global concurrency): the
  // look-then-push of one version must not interleave with another's `latest` decision, and
  // the registry has no compare-and-set to make that safe otherwise.
  const jobs = jobSubmitter<PublishJobData, PublishJobResult>(PUBLISH_QUEUE, options, (queue) =>
    queue.setGlobalConcurrency(1),
  );

  return {
    async run(request: RemotePublishRequest, onPhase: (phase: Phase) => void, signal?: AbortSignal) {
      const { job, checked } = request;
      const failed = (image: ImageOutcome): { image: ImageOutcome; publish: BundlePublish } => ({
        image,
        publish: publishSkip(withImageOutcome(checked, image), request.hubNamespace) ?? {
          path: job.bundlePath,
          status: "skipped",
          references: [],
          message: "the checks did not finish",
          infrastructure: true,
        },
      });
      const packed = await packBundle(job.bundleDir, job.bundlePath, job.config.build.maxContextBytes);
      if (!packed.archive) return failed({ findings: packed.plan.findings, smoke: [] });
      const namespace = request.organization ?? settings.namespace;
      const target = `${registry}/${namespace}/${job.image.component}`;
      const series = { kind: checked.kind ?? "", name: checked.name ?? "" };
      const data: PublishJobData = {
        check: {
          bundlePath: job.bundlePath,
          image: job.image,
          manifest: job.manifest,
          config: job.config,
          ...(job.revision ? { revision: job.revision } : {}),
        },
        checked,
        contextFindings: packed.plan.findings,
        hubNamespace: request.hubNamespace,
        namespace,
        registry,
        ledger: {
          records: store.list(target),
          tags: store.tags(target),
          protectedTags: catalogue
            ? [...protectedInCatalogue(catalogue, series)].map(([tag, digest]) => [tag, digest ?? null])
            : [],
        },
      };
      const jobId = await jobs.stored(data, packed.archive);
      const log = logger.child({ bundle: job.bundlePath, jobId });
      try {
        // Merged code is never superseded: an abort here is a shutdown, and the job goes on
        // on its worker; the next start asks for the same job and records its result.
        const result = await jobs.run({
          jobId,
          data,
          onPhase,
          signal,
          reusable: (done) =>
            done.image.infrastructureError === undefined && done.publish.status !== "failed",
        });
        if (result === undefined)
          return failed({ findings: [], smoke: [], infrastructureError: "interrupted" });
        await record(result, target);
        log.info({ status: result.publish.status }, "publish worker finished");
        return { image: result.image, publish: result.publish };
      } catch (error) {
        log.error({ err: (error as Error).message }, "remote publish failed");
        return failed({
          findings: [],
          smoke: [],
          infrastructureError: `the publish worker could not finish (${(error as Error).message}); not a problem in the bundle.`,
        });
      }
    },
    close: jobs.close,
  };

  /** Keep what the worker published: records and tags in SQLite, the version in the catalogue. */
  async function record(result: PublishJobResult, target: string): Promise<void> {
    for (const row of result.ledger.records) await store.record(row);
    for (const tag of result.ledger.tags) await store.recordTag(tag);
    const { publish, request } = result;
    if (!catalogue || !request || (publish.status !== "published" && publish.status !== "unchanged")) return;
    if (!("digest" in publish) || !publish.digest) return;
    recordPublishedInCatalogue(catalogue, {
      request,
      target,
      digest: publish.digest,
      latest: publish.latest ?? "not-requested",
      tags: publish.tags ?? [],
      registryUrl: settings.registryUrl ?? `https://${registry}`,
      publishedAt:
        result.ledger.records.find((r) => r.version === request.version)?.publishedAt ??
        new Date().toISOString(),
    });
  }
}
