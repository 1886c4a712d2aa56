import type { PublishRequest, Publisher } from "../../../src/publish/publisher.js";

export interface RecordingPublisher extends Publisher {
  readonly requests: PublishRequest[];
}

/** A publisher with no registry: records each request and answers "published" without pushing. */
export function recordingPublisher(): RecordingPublisher {
  const requests: PublishRequest[] = [];
  return {
    requests,
    settings: {
      namespace: "jinahub",
      dataDir: "",
      registry: "registry.test",
      registryUrl: "http://registry.test",
    } as Publisher["settings"],
    checkAccess: async () => undefined,
    async publish(request) {
      requests.push(request);
      const ref = `registry.test/${request.repository}:${request.version}`;
      return {
        status: "published",
        references: [ref],
        digest: `sha256:${"f".repeat(64)}`,
        message: `pushed ${ref} (recorded)`,
        infrastructure: false,
      };
    },
    close: async () => undefined,
  };
}
