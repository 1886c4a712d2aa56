import { imageReference, imageNameComponent } from "../../src/core/image-name.js";
import { checkVersionBump } from "../../src/core/version-rules.js";

describe("image references", () => {
  it("maps the manifest to jinahub/pod.<kind>.<name>:<version>", () => {
    expect(imageReference("jinahub", "pod", "encoder", "AwesomeEncoder", "0.0.1")).toEqual({
      namespace: "jinahub",
      component: "pod.encoder.awesomeencoder",
      repository: "jinahub/pod.encoder.awesomeencoder",
      tag: "0.0.1",
      reference: "jinahub/pod.encoder.awesomeencoder:0.0.1",
      version: "0.0.1",
    });
  });

  it("turns white space into a dash", () => {
    expect(imageNameComponent("My  Cool\tEncoder")).toBe("my-cool-encoder");
  });

  it.each(["$Money", "_Private", "Trailing_", "Dollar$Sign"])(
    "reports %s, which cannot be a reference",
    (name) => {
      expect(imageReference("jinahub", "pod", "encoder", name, "1.0.0")).toMatchObject({ field: "name" });
    },
  );

  it("maps SemVer build metadata's + to _ in the tag (Helm's OCI convention), keeping the version", () => {
    expect(imageReference("jinahub", "pod", "encoder", "Good", "1.0.0-rc.1+build.5")).toMatchObject({
      tag: "1.0.0-rc.1_build.5",
      reference: "jinahub/pod.encoder.good:1.0.0-rc.1_build.5",
      version: "1.0.0-rc.1+build.5",
    });
  });

  it("still reports a version no tag can hold", () => {
    expect(imageReference("jinahub", "pod", "encoder", "Good", `1.0.0-${"x".repeat(130)}`)).toMatchObject({
      field: "version",
    });
  });
});

describe("version bump over the base", () => {
  it("passes a new bundle and a raised version", () => {
    expect(checkVersionBump("0.0.1", undefined)).toEqual({ ok: true });
    expect(checkVersionBump("0.0.10", "0.0.9")).toEqual({ ok: true });
    expect(checkVersionBump("1.0.0", "1.0.0-rc.1")).toEqual({ ok: true });
  });

  it("fails an equal or lower version and suggests the next patch", () => {
    const same = checkVersionBump("0.0.9", "0.0.9");
    expect(same).toEqual({ ok: false, message: expect.stringContaining("is the same as 0.0.9") });
    expect(same.ok ? "" : same.message).toContain("0.0.10");
    expect(checkVersionBump("0.0.8", "0.0.9")).toMatchObject({
      ok: false,
      message: expect.stringContaining("is lower than"),
    });
  });
});
