import { join } from "node:path";
import { contentFingerprint, sameContent } from "../../src/publish/image-identity.js";
import { PublishSettingsError, readPublishSettings } from "../../src/publish/publish-settings.js";
import { isStableVersion } from "../../src/publish/publisher.js";
import { redact } from "../../src/publish/redact.js";

describe("readPublishSettings", () => {
  it("defaults: not configured, namespace jinahub, data in .hubgate/ of the working directory", () => {
    expect(readPublishSettings({}, { cwd: "/srv/hub" })).toEqual({
      namespace: "jinahub",
      dataDir: "/srv/hub/.hubgate",
    });
  });

  it("reads the registry, credentials, namespace and data dir; --registry wins", () => {
    const env = {
      HUBGATE_REGISTRY: "registry.example.com",
      HUBGATE_REGISTRY_USERNAME: "bot",
      HUBGATE_REGISTRY_PASSWORD: "pw",
      HUBGATE_NAMESPACE: "acme",
      HUBGATE_DATA_DIR: "state",
    };
    expect(readPublishSettings(env, { cwd: "/srv" })).toEqual({
      registry: "registry.example.com",
      registryUrl: "https://registry.example.com",
      credentials: { username: "bot", password: "pw" },
      namespace: "acme",
      dataDir: join("/srv", "state"),
    });
    expect(readPublishSettings(env, { registry: "localhost:5000" })).toMatchObject({
      registry: "localhost:5000",
      registryUrl: "http://localhost:5000",
    });
    expect(readPublishSettings({ HUBGATE_REGISTRY: "http://reg.internal:5000/" }).registryUrl).toBe(
      "http://reg.internal:5000",
    );
  });

  it("rejects credentials in the registry and bad namespaces, without echoing the secret", () => {
    expect(() => readPublishSettings({ HUBGATE_REGISTRY: "bot:hunter22@reg.example.com" })).toThrow(
      PublishSettingsError,
    );
    try {
      readPublishSettings({ HUBGATE_REGISTRY: "bot:hunter22@reg.example.com" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter22");
    }
    expect(() => readPublishSettings({ HUBGATE_NAMESPACE: "Jina Hub" })).toThrow(/HUBGATE_NAMESPACE/);
  });
});

describe("isStableVersion", () => {
  it("accepts plain semantic versions only", () => {
    expect(isStableVersion("1.2.3")).toBe(true);
    expect(isStableVersion("v1.2.3")).toBe(false);
    expect(isStableVersion("1.0.0-rc.1")).toBe(false);
    expect(isStableVersion("latest")).toBe(false);
    expect(isStableVersion("1.2.3+build.5")).toBe(false);
    // Beyond safe integers is still a version (and so still counts against `latest`).
    expect(isStableVersion("99999999999999999999.0.0")).toBe(true);
  });
});

describe("image identity", () => {
  const base = {
    layers: ["sha256:1", "sha256:2"],
    config: {
      Env: ["PATH=/bin"],
      Entrypoint: ["/bin/sh"],
      Labels: { a: "1", "org.opencontainers.image.created": "x" },
    },
  };
  it("ignores the build date and empty fields, nothing else", () => {
    expect(
      sameContent(base, {
        layers: [...base.layers],
        config: {
          Labels: { "org.opencontainers.image.created": "y", a: "1" },
          Entrypoint: ["/bin/sh"],
          Env: ["PATH=/bin"],
          Volumes: null,
          Cmd: [],
        },
      }),
    ).toBe(true);
    expect(sameContent(base, { ...base, layers: ["sha256:1", "sha256:3"] })).toBe(false);
    expect(sameContent(base, { ...base, config: { ...base.config, Labels: { a: "2" } } })).toBe(false);
    expect(sameContent(base, { ...base, config: { ...base.config, Entrypoint: ["/bin/ash"] } })).toBe(false);
    expect(contentFingerprint(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("redact", () => {
  it("replaces every occurrence of a secret", () => {
    expect(redact("user:s3cret@host s3cret", ["s3cret"])).toBe("user:***@host ***");
  });
});
