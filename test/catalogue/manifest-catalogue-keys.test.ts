import { matchRoot, parseLayout } from "../../src/core/bundle-layout.js";
import { bundleMetadata } from "../../src/core/bundle-metadata.js";
import { checkManifestText } from "../../src/core/manifest-check.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

const BASE = "name: TextEncoder\nkind: encoder\ntype: pod\ndescription: Text to vectors.\nversion: 1.0.0\n";

describe("the optional catalogue keys of manifest.yml", () => {
  it("accepts them and turns them into catalogue metadata", () => {
    const text = `${BASE}tasks: [Predict, Train]\ncpu: false\ncuda_version: "11.8"\nframework: pytorch\nmin_hardware_generation: ampere\ndomain: nlp\n`;
    const checked = checkManifestText("m.yml", text, manifestValidator());
    expect(checked.findings).toEqual([]);
    expect(bundleMetadata(checked.manifest!, undefined)).toEqual({
      description: "Text to vectors.",
      licence: "apache-2.0",
      domain: "nlp",
      tasks: ["Predict", "Train"],
      cpu: false,
      cudaVersion: "11.8",
      framework: "pytorch",
      minHardwareGeneration: "ampere",
    });
  });

  it("reports a wrong value on its line, with the key's rule", () => {
    const text = `${BASE}cuda_version: 11.8\ntasks: Predict\ncpu: maybe\nframework: "<script>"\n`;
    const findings = checkManifestText("m.yml", text, manifestValidator()).findings;
    expect(
      findings.map((f) => [f.rule, f.line, f.level]).sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual([
      ["manifest/cuda_version", 6, "error"],
      ["manifest/tasks", 7, "error"],
      ["manifest/cpu", 8, "error"],
      ["manifest/framework", 9, "error"],
    ]);
  });

  it("takes the domain from the layout's {domain} folder when the manifest names none; CPU unless CUDA", () => {
    const domainFolder = (root: string, layout: string | string[]) =>
      matchRoot(parseLayout(layout), root)?.domainFolder;
    expect(domainFolder("encoders/nlp/TextEncoder", "{kinds}/{domain}/{name}")).toBe("nlp");
    expect(domainFolder("rankers/MinRanker", ["{kinds}/{domain}/{name}", "{kinds}/{name}"])).toBeUndefined();
    expect(domainFolder("executors/encoders/TextEncoder", "executors/{kinds}/{name}")).toBeUndefined();
    const checked = checkManifestText("m.yml", BASE, manifestValidator());
    expect(
      bundleMetadata(checked.manifest!, domainFolder("encoders/vision/X", "{kinds}/{domain}/{name}")),
    ).toMatchObject({
      domain: "vision",
      cpu: true,
      tasks: [],
    });
  });
});
