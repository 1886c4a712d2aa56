import type Docker from "dockerode";
import { InfrastructureError } from "../core/infrastructure-error.js";
import type { ImageContent } from "./image-identity.js";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import type { RegistryCredentials } from "./publish-settings.js";
import { redact } from "./redact.js";

/**
 * Pushing a locally built image with the Docker engine (dockerode): tag it with the
 * registry-prefixed name, push that one tag, read the digest the registry computed.
 */

export interface PushRequest {
  /** Local reference, e.g. `jinahub/pod.encoder.x:0.0.1`. */
  localImage: string;
  /** `host[:port]` of the registry, the first component of `target`. */
  registry: string;
  /** Registry-prefixed repository, e.g. `127.0.0.1:5000/jinahub/pod.encoder.x`. */
  target: string;
  tag: string;
  credentials?: RegistryCredentials;
}

export interface PushResult {
  reference: string;
  /** Manifest digest reported by the engine (`aux.Digest`), as `HEAD …/manifests/<tag>` returns it. */
  digest: string;
}

interface ProgressItem {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

export interface LocalImage {
  /** Image ID = config digest. */
  id: string;
  content: ImageContent;
}

/** ID, layers and runtime config of a local image, or undefined when the engine does not have it. */
export async function inspectLocalImage(docker: Docker, reference: string): Promise<LocalImage | undefined> {
  try {
    const info = await docker.getImage(reference).inspect();
    return {
      id: info.Id,
      content: {
        layers: info.RootFS?.Layers ?? [],
        config: (info.Config as unknown as Record<string, unknown> | undefined) ?? null,
      },
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(error, `inspecting ${reference}`, []);
  }
}

export async function pushImage(
  docker: Docker,
  request: PushRequest,
  logger: Logger = silentLogger,
): Promise<PushResult> {
  const reference = `${request.target}:${request.tag}`;
  const secrets = request.credentials?.password ? [request.credentials.password] : [];
  try {
    await docker.getImage(request.localImage).tag({ repo: request.target, tag: request.tag });
  } catch (error) {
    throw engineError(error, `tagging ${request.localImage} as ${reference}`, secrets);
  }
  try {
    // Without credentials the engine still wants an X-Registry-Auth header: `{}` is anonymous.
    const authconfig = request.credentials
      ? {
          username: request.credentials.username,
          password: request.credentials.password,
          serveraddress: request.registry,
        }
      : {};
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await docker
        .getImage(request.target)
        .push({ tag: request.tag, authconfig })) as NodeJS.ReadableStream;
    } catch (error) {
      throw engineError(error, `pushing ${reference}`, secrets);
    }
    const items = await followProgress(docker, stream).catch((error: unknown) => {
      throw engineError(error, `pushing ${reference}`, secrets);
    });
    // A failed push does not reject: the engine reports it as an item in the stream.
    const failure = items.find((item) => item.error !== undefined || item.errorDetail !== undefined);
    if (failure) {
      const detail = redact(failure.errorDetail?.message ?? failure.error ?? "unknown error", secrets);
      logger.warn({ reference, detail }, "push failed");
      throw new InfrastructureError(pushFailureMessage(request.registry, reference, detail));
    }
    const digest =
      [...items].reverse().find((item) => item.aux?.Digest)?.aux?.Digest ??
      // Older engines only print `<tag>: digest: sha256:… size: N`.
      items
        .map((item) => /digest: (sha256:[0-9a-f]{64})/.exec(item.status ?? "")?.[1])
        .find((d) => d !== undefined);
    if (!digest) throw new InfrastructureError(`pushing ${reference} ended without the registry's digest`);
    logger.info({ reference, digest }, "pushed");
    return { reference, digest };
  } finally {
    // The registry-prefixed name is only a vehicle for the push; leave the engine as we found it.
    await docker
      .getImage(reference)
      .remove({ noprune: true })
      .catch((error: unknown) => logger.debug({ reference, error: String(error) }, "could not untag"));
  }
}

function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<ProgressItem[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: ProgressItem[]) =>
      error ? reject(error) : resolve(output),
    );
  });
}

function pushFailureMessage(registry: string, reference: string, detail: string): string {
  if (/unauthorized|authentication required|incorrect username or password/i.test(detail))
    return `registry at ${registry} rejected the credentials while pushing ${reference} (${detail}); check HUBGATE_REGISTRY_USERNAME and HUBGATE_REGISTRY_PASSWORD`;
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(detail))
    return `registry at ${registry} is unreachable: pushing ${reference} failed (${detail})`;
  return `pushing ${reference} to ${registry} failed: ${detail}`;
}

function engineError(error: unknown, during: string, secrets: string[]): InfrastructureError {
  const e = error as { json?: { message?: string }; message?: string };
  const detail = redact(e?.json?.message ?? e?.message ?? String(error), secrets);
  return new InfrastructureError(`the Docker engine failed while ${during}: ${detail}`, { cause: error });
}
