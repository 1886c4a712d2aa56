import Docker from "dockerode";
import { compareVersions, parseVersion } from "../core/version-rules.js";
import type { Catalogue } from "../catalogue/catalogue-store.js";
import type { BundleMetadata } from "../core/bundle-metadata.js";
import { isInfrastructureError } from "../core/infrastructure-error.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import { sameContent } from "./image-identity.js";
import { inspectLocalImage, pushImage } from "./image-push.js";
import type { PublishSettings } from "./publish-settings.js";
import { PublishStore, PublishStoreError } from "./publish-store.js";
import { redact } from "./redact.js";
import { RegistryClient, type RemoteManifest } from "./registry-client.js";
import { applyTags, planTags, type AppliedTag, type TagPlan } from "./tag-plan.js";

/**
 * Publishing one checked image: push `<version>` once, never overwrite it, and move
 * `latest` only forward.
 *
 * Versions are protected tags (like `jina hub push --protected-tag`): once `<version>` exists
 * in the registry, only the same content may stand behind it. Same content → "unchanged",
 * nothing is pushed; other content → "refused", the registry is left alone. "Same content"
 * is decided in image-identity.ts: the published manifest's config digest against the local
 * image ID (exact), else layers + runtime config without the build date. The manifest
 * digest cannot serve as the key: it covers compressed layers the engine only produces
 * while pushing, so it is known after a push, not before. For a multi-platform index (no
 * single config) our own record decides: same registry digest and same image ID recorded.
 *
 * The registry is the truth, the store a ledger: a version missing from the registry is
 * pushed even if a record says it was published (the registry was wiped), and a version
 * found with our content but no record is recorded. One publisher per registry and
 * repository is assumed: the registry API has no compare-and-set for tags, so a push by
 * someone else between our look and our push cannot be prevented.
 */
export type PublishStatus =
  "published" | "would-publish" | "unchanged" | "refused" | "not-configured" | "failed";

export type LatestStatus = "moved" | "current" | "kept" | "not-requested";

export interface PublishRequest {
  /** Local image to publish: a reference (`jinahub/pod.encoder.x:0.0.1`) or an image ID. */
  localImage: string;
  /** Path in the registry, `namespace/type.kind.name`. */
  repository: string;
  version: string;
  /** Tags besides the version (`-t`, `tags:`); none = `latest`. See tag-plan.ts. */
  tags?: readonly string[];
  /** Tags pushed once, never again (`--protected-tag`, `protected_tags:`). */
  protectedTags?: readonly string[];
  bundle: { name: string; kind: string };
  sourceRepository?: string;
  commit?: string;
  /** For the catalogue: manifest metadata and the revision's branch and tag. */
  metadata?: BundleMetadata;
  revision?: RevisionInfo;
}

export interface PublishOutcome {
  status: PublishStatus;
  /** Registry references that point at this image after the run (or would, for a dry run). */
  references: string[];
  /** Manifest digest in the registry. */
  digest?: string;
  /** Image ID behind `digest`; for "refused" and "would-publish", this build's. */
  imageId?: string;
  /** moved: latest now points here; current: it already did; kept: left on a newer version; not-requested: tags were given without latest. */
  latest?: LatestStatus;
  /** The other tags this publish applied (or would). */
  tags?: AppliedTag[];
  /** Set when the publish was refused for a protected tag rather than the version. */
  refusedTag?: string;
  message: string;
  /** True when our side failed (registry down, wrong credentials, engine): the CLI exits 2. */
  infrastructure: boolean;
}

export interface PublishContext {
  settings: PublishSettings;
  docker: Docker;
  registry: RegistryClient;
  store: PublishStore;
  /** Every published (or found unchanged) version is created or updated here. */
  catalogue?: Catalogue;
  /**
   * The series' protected tags (versions included) with digests, when the catalogue lives
   * elsewhere: a publish worker gets them from the gateway that keeps it.
   */
  knownProtected?: ReadonlyMap<string, string | undefined>;
  /**
   * The digest this same publish pushed before it was interrupted (a publish worker's retried
   * job): found in the registry, the version is ours even if this rebuild's layers differ.
   */
  pushedBefore?: string;
  /** Told as soon as the version is pushed, before anything else, so a retry knows it. */
  onPushed?: (digest: string) => Promise<void>;
  logger?: Logger;
  /** Look, decide and tell; push nothing, record nothing. */
  dryRun?: boolean;
  now?: () => Date;
}

const LATEST = "latest";

export async function publishImage(
  request: PublishRequest,
  context: PublishContext,
): Promise<PublishOutcome> {
  const { settings } = context;
  if (!settings.registry) return notConfigured(request);
  const target = `${settings.registry}/${request.repository}`;
  const versionRef = `${target}:${request.version}`;
  const logger = (context.logger ?? silentLogger).child({ image: versionRef });
  try {
    return await publishTo(request, context, target, logger);
  } catch (error) {
    const secrets = settings.credentials?.password ? [settings.credentials.password] : [];
    const message = redact(error instanceof Error ? error.message : String(error), secrets);
    // Nothing in this path is the contributor's doing: the bundle already passed its checks.
    const ours = isInfrastructureError(error) || error instanceof PublishStoreError;
    logger.error({ err: message }, "publish failed");
    return {
      status: "failed",
      references: [],
      message: ours ? message : `internal error while publishing ${versionRef}: ${message}`,
      infrastructure: true,
    };
  }
}

async function publishTo(
  request: PublishRequest,
  context: PublishContext,
  target: string,
  logger: Logger,
): Promise<PublishOutcome> {
  const { registry, store, settings } = context;
  const versionRef = `${target}:${request.version}`;
  const local = await inspectLocalImage(context.docker, request.localImage);
  if (!local)
    return {
      status: "failed",
      references: [],
      message: `the local image ${request.localImage} does not exist; it must be built before it is published`,
      infrastructure: true,
    };

  // Tags first: a protected tag that was pushed before refuses the publish before any upload.
  const tagPlan = await planTags(
    request,
    registry,
    store,
    target,
    local.id,
    catalogueProtected(request, context),
  );
  if (!tagPlan.ok) {
    logger.warn({ tag: tagPlan.tag, digest: tagPlan.publishedDigest }, "protected tag refused");
    return {
      status: "refused",
      references: [],
      digest: tagPlan.publishedDigest,
      imageId: local.id,
      refusedTag: tagPlan.tag,
      message: tagPlan.message,
      infrastructure: false,
    };
  }
  const plan = tagPlan.plan;

  const remote = await registry.manifest(request.repository, request.version);
  const record = store.find(target, request.version);
  if (remote) {
    const same = await publishedContentMatches(request, context, remote, local, record);
    if (!same) {
      const published =
        remote.configDigest ?? (record?.digest === remote.digest ? record.imageId : undefined);
      logger.warn(
        { digest: remote.digest, imageId: local.id },
        "version already published with other content",
      );
      return {
        status: "refused",
        references: [],
        digest: remote.digest,
        imageId: local.id,
        message:
          `version ${request.version} is already published as ${versionRef} with digest ${remote.digest}` +
          `${published ? ` (image ${published})` : ""}; this build is image ${local.id}, with different content. ` +
          "Published versions are never overwritten: raise the version in manifest.yml to publish this change.",
        infrastructure: false,
      };
    }
    // The published image's ID, which differs from ours when only the build date does.
    const publishedId = remote.configDigest ?? local.id;
    if (!context.dryRun && (record?.digest !== remote.digest || record.imageId !== publishedId))
      await store.record(
        toRecord(request, target, remote.digest, publishedId, record?.publishedAt ?? now(context)),
      );
    const { latest, tags, references } = await tagAll(plan, request, context, target, remote.digest);
    logger.info({ digest: remote.digest, latest }, "already published");
    return {
      status: "unchanged",
      references: [versionRef, ...references],
      digest: remote.digest,
      imageId: publishedId,
      latest,
      tags,
      message:
        `${versionRef} is already published with this content (digest ${remote.digest}); nothing pushed` +
        latestSentence(latest, target, context.dryRun) +
        tagsSentence(tags),
      infrastructure: false,
    };
  }

  if (context.dryRun) {
    const latest: LatestStatus = !plan.latest
      ? "not-requested"
      : (await latestDecision(request, context, target)).move
        ? "moved"
        : "kept";
    const tags: AppliedTag[] = [
      ...plan.moving.map((tag) => ({ tag, protected: false, status: "would-push" as const })),
      ...plan.protectedTags.map((tag) => ({ tag, protected: true, status: "would-push" as const })),
    ];
    return {
      status: "would-publish",
      references: [
        versionRef,
        ...(latest === "moved" ? [`${target}:${LATEST}`] : []),
        ...tags.map((t) => `${target}:${t.tag}`),
      ],
      imageId: local.id,
      latest,
      tags,
      message: `would push ${versionRef}${latest === "moved" ? ` and move ${LATEST} to it` : ""}${tagsSentence(tags)} (dry run: nothing pushed)`,
      infrastructure: false,
    };
  }

  const pushed = await pushImage(
    context.docker,
    {
      localImage: local.id,
      registry: settings.registry!,
      target,
      tag: request.version,
      credentials: settings.credentials,
    },
    logger,
  );
  await context.onPushed?.(pushed.digest);
  // Recorded before `latest` moves: if that fails, the version push is still on the books.
  await store.record(toRecord(request, target, pushed.digest, local.id, now(context)));
  const { latest, tags, references } = await tagAll(plan, request, context, target, pushed.digest);
  logger.info({ digest: pushed.digest, latest }, "published");
  return {
    status: "published",
    references: [versionRef, ...references],
    digest: pushed.digest,
    imageId: local.id,
    latest,
    tags,
    message: `pushed ${versionRef} (digest ${pushed.digest})${latestSentence(latest, target, false)}${tagsSentence(tags)}`,
    infrastructure: false,
  };
}

/** latest (when asked for, forward only), then the plain and protected tags; all recorded. */
async function tagAll(
  plan: TagPlan,
  request: PublishRequest,
  context: PublishContext,
  target: string,
  digest: string,
) {
  const latest: LatestStatus = plan.latest
    ? await updateLatest(request, context, target, digest)
    : "not-requested";
  if (!context.dryRun && (latest === "moved" || latest === "current"))
    await context.store.recordTag({
      repository: target,
      tag: LATEST,
      digest,
      version: request.version,
      protected: false,
      taggedAt: now(context),
    });
  const tags = await applyTags(plan, request, { ...context, now: () => now(context) }, target, digest);
  if (!context.dryRun) recordInCatalogue(request, context, target, digest, latest, tags);
  const references = [
    ...(latest === "moved" || latest === "current" ? [`${target}:${LATEST}`] : []),
    ...tags.map((t) => `${target}:${t.tag}`),
  ];
  return { latest, tags, references };
}

/** The series' protected tags in the catalogue (versions included) and their digests. */
function catalogueProtected(
  request: PublishRequest,
  context: PublishContext,
): Map<string, string | undefined> {
  const { catalogue } = context;
  if (!catalogue) return new Map(context.knownProtected ?? []);
  return protectedInCatalogue(catalogue, request.bundle);
}

/** The series' protected tags in the catalogue (versions included) and their digests. */
export function protectedInCatalogue(
  catalogue: Catalogue,
  bundle: { kind: string; name: string },
): Map<string, string | undefined> {
  return new Map(
    catalogue
      .tagsOfSeries(bundle.kind, bundle.name)
      .filter((t) => t.protected)
      .map((t) => [t.tag, catalogue.get(t.imagePk)?.digest ?? undefined]),
  );
}

function tagsSentence(tags: readonly AppliedTag[]): string {
  if (tags.length === 0) return "";
  const name = (t: AppliedTag) => `${t.tag}${t.protected ? " (protected)" : ""}`;
  return `; tagged ${tags.map(name).join(", ")}`;
}

/**
 * The catalogue's object for this version: created on the first publish, updated on every
 * later one, with every tag this publish applied (protected ones marked). The hub's own
 * registry credentials are never copied into it.
 */
function recordInCatalogue(
  request: PublishRequest,
  context: PublishContext,
  target: string,
  digest: string,
  latest: LatestStatus,
  tags: readonly AppliedTag[],
): void {
  if (!context.catalogue) return;
  recordPublishedInCatalogue(context.catalogue, {
    request,
    target,
    digest,
    latest,
    tags,
    registryUrl: context.settings.registryUrl ?? `https://${context.settings.registry}`,
    publishedAt: now(context),
  });
}

/**
 * The catalogue's side of one publish, apart from the push: the gateway calls it with a
 * publish worker's outcome (scale-out), publishImage with its own.
 */
export function recordPublishedInCatalogue(
  catalogue: Catalogue,
  published: {
    request: PublishRequest;
    target: string;
    digest: string;
    latest: LatestStatus;
    tags: readonly AppliedTag[];
    registryUrl: string;
    publishedAt: string;
  },
): void {
  const { request, target, digest, latest, tags } = published;
  const metadata = request.metadata ?? { tasks: [], cpu: true };
  const revision = request.revision ?? {};
  const image = catalogue.recordPublished({
    kind: request.bundle.kind,
    name: request.bundle.name,
    version: request.version,
    repository: target,
    digest,
    registryUrl: published.registryUrl,
    description: metadata.description,
    licence: metadata.licence,
    domain: metadata.domain,
    tasks: metadata.tasks,
    cpu: metadata.cpu,
    cudaVersion: metadata.cudaVersion,
    framework: metadata.framework,
    minHardwareGeneration: metadata.minHardwareGeneration,
    revision: {
      sourceUrl: request.sourceRepository ?? revision.sourceUrl,
      commit: request.commit ?? revision.commit,
      branch: revision.branch,
      tag: revision.tag,
    },
    latest: latest === "moved" || latest === "current",
    publishedAt: published.publishedAt,
  });
  for (const tag of tags) catalogue.setTag(image.pk, tag.tag, { protected: tag.protected });
}

async function publishedContentMatches(
  request: PublishRequest,
  context: PublishContext,
  remote: RemoteManifest,
  local: NonNullable<Awaited<ReturnType<typeof inspectLocalImage>>>,
  record: ReturnType<PublishStore["find"]>,
): Promise<boolean> {
  if (context.pushedBefore !== undefined && remote.digest === context.pushedBefore) return true;
  if (remote.configDigest === undefined)
    return record?.digest === remote.digest && record.imageId === local.id;
  if (remote.configDigest === local.id) return true;
  const published = await context.registry.imageContent(request.repository, remote.configDigest);
  return sameContent(published, local.content);
}

/**
 * Whether `latest` may point at this version: only stable semantic versions, and only when
 * none newer is known, neither in the registry's tags nor in our records. Pre-releases never
 * take `latest` (nor count against it): `latest` is what a user gets without asking.
 */
async function latestDecision(
  request: PublishRequest,
  context: PublishContext,
  target: string,
): Promise<{ move: boolean; newer?: string }> {
  if (!isStableVersion(request.version)) return { move: false };
  const tags = await context.registry.tags(request.repository);
  const recorded = context.store.list(target).map((r) => r.version);
  // Arbitrary-size numbers (core/version-rules.ts): `99999999999999999999.0.0` is newer, not invalid.
  const mine = parseVersion(request.version)!;
  const newer = [...tags, ...recorded]
    .filter(isStableVersion)
    .map((v) => ({ v, parsed: parseVersion(v)! }))
    .sort((a, b) => compareVersions(b.parsed, a.parsed))
    .find((x) => compareVersions(x.parsed, mine) > 0)?.v;
  return newer === undefined ? { move: true } : { move: false, newer };
}

async function updateLatest(
  request: PublishRequest,
  context: PublishContext,
  target: string,
  digest: string,
): Promise<"moved" | "current" | "kept"> {
  const decision = await latestDecision(request, context, target);
  if (!decision.move) return "kept";
  const current = await context.registry.manifestDigest(request.repository, LATEST);
  if (current === digest) return "current";
  if (context.dryRun) return "moved";
  // Copy the version's manifest bytes to `latest`: no second push, and the same digest by construction.
  const manifest = await context.registry.manifest(request.repository, request.version);
  if (!manifest || manifest.digest !== digest) {
    // Someone replaced the version in between; leave latest alone rather than point it at unknown content.
    (context.logger ?? silentLogger).warn({ target, digest }, "version changed under us; latest not moved");
    return "kept";
  }
  await context.registry.putManifest(request.repository, LATEST, manifest);
  return "moved";
}

/** `1.2.3` exactly as written (no `v`, no pre-release, no build metadata), numbers of any size. */
export function isStableVersion(version: string): boolean {
  const parsed = parseVersion(version);
  return parsed !== undefined && parsed.prerelease.length === 0 && !version.includes("+");
}

function latestSentence(latest: LatestStatus, target: string, dryRun: boolean | undefined): string {
  if (latest === "moved")
    return dryRun ? `; would move ${LATEST} to it` : `; ${target}:${LATEST} moved to it`;
  if (latest === "current") return `; ${LATEST} points to it`;
  if (latest === "not-requested") return "";
  return `; ${LATEST} left where it is`;
}

function notConfigured(request: PublishRequest): PublishOutcome {
  return {
    status: "not-configured",
    references: [],
    message:
      "publishing is not configured (set HUBGATE_REGISTRY or pass --registry): " +
      `${request.repository}:${request.version} was not pushed`,
    infrastructure: false,
  };
}

function toRecord(
  request: PublishRequest,
  target: string,
  digest: string,
  imageId: string,
  publishedAt: string,
) {
  return {
    name: request.bundle.name,
    kind: request.bundle.kind,
    version: request.version,
    repository: target,
    digest,
    imageId,
    sourceRepository: request.sourceRepository,
    commit: request.commit,
    publishedAt,
  };
}

function now(context: PublishContext): string {
  return (context.now?.() ?? new Date()).toISOString();
}

export interface Publisher {
  readonly settings: PublishSettings;
  /** Throws an InfrastructureError when the registry is down or refuses the credentials. */
  checkAccess(): Promise<void>;
  publish(request: PublishRequest): Promise<PublishOutcome>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  docker?: Docker;
  logger?: Logger;
  dryRun?: boolean;
  /** Defaults to opening `settings.dataDir`; read-only for a dry run. */
  store?: PublishStore;
  registry?: RegistryClient;
  /** Defaults to the catalogue in the store's own file; none for a dry run. */
  catalogue?: Catalogue;
  /** No catalogue here, these protected tags instead (PublishContext.knownProtected). */
  knownProtected?: ReadonlyMap<string, string | undefined>;
  /** PublishContext.pushedBefore and onPushed (a publish worker's job). */
  pushedBefore?: string;
  onPushed?: (digest: string) => Promise<void>;
  now?: () => Date;
}

/**
 * A publisher bound to one registry. Publishes run one at a time: the look-then-push of
 * one image must not interleave with another's `latest` decision for the same repository.
 */
export async function createPublisher(
  settings: PublishSettings,
  options: PublisherOptions = {},
): Promise<Publisher> {
  if (!settings.registry || !settings.registryUrl)
    return {
      settings,
      checkAccess: async () => undefined,
      publish: async (request) => notConfigured(request),
      close: async () => undefined,
    };
  const store = options.store ?? (await PublishStore.open(settings.dataDir, { readOnly: options.dryRun }));
  const database = options.dryRun ? undefined : store.database;
  const catalogue = options.knownProtected
    ? undefined
    : (options.catalogue ??
      (database ? (await import("../catalogue/catalogue-store.js")).Catalogue.on(database) : undefined));
  const context: PublishContext = {
    settings,
    docker: options.docker ?? new Docker(),
    registry:
      options.registry ??
      new RegistryClient({ url: settings.registryUrl, credentials: settings.credentials }),
    store,
    catalogue: options.dryRun ? undefined : catalogue,
    knownProtected: options.knownProtected,
    pushedBefore: options.pushedBefore,
    onPushed: options.onPushed,
    logger: options.logger,
    dryRun: options.dryRun,
    now: options.now,
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    settings,
    checkAccess: () => context.registry.checkAccess(),
    publish(request) {
      const next = queue.then(() => publishImage(request, context));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await queue;
      if (!options.store) await store.close();
    },
  };
}
