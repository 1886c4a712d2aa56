/**
 * "0 bundles checked" always says why (DESIGN: a pass that checked nothing must explain
 * itself): nothing in a bundle changed, only deleted bundles changed, the hub's layout
 * matches none of its manifests (then also a warning with a hint to set `layout`), or the
 * path given holds no bundle.
 */
import { suggestPattern, type BundleLayout } from "./bundle-layout.js";
import { finding, type Finding } from "./finding.js";

export type NothingCheckedReason =
  | "no-bundle-changed"
  | "only-deleted-bundles"
  | "layout-matches-nothing"
  | "no-bundle-here"
  | "hub-config-invalid";

export interface NothingChecked {
  reason: NothingCheckedReason;
  message: string;
}

export interface NothingCheckedInput {
  layout: BundleLayout;
  /** For a change: how many paths changed, deleted bundle folders, manifests at no layout place. */
  change?: { files: number; removed: readonly string[]; unplacedManifests: readonly string[] };
  /** Folders holding a manifest.yml found anywhere (hub-relative), when the layout found none. */
  manifestFolders: readonly string[];
  /** The hub configuration file, for the hint. */
  configFile: string;
}

export function explainNothingChecked(input: NothingCheckedInput): {
  nothing: NothingChecked;
  findings: Finding[];
} {
  const { layout, change } = input;
  const stray = change ? change.unplacedManifests : input.manifestFolders.map((d) => `${d}/manifest.yml`);
  if (stray.length > 0) {
    const first = stray[0]!;
    const dir = first.slice(0, first.lastIndexOf("/"));
    const suggestion = suggestPattern(dir, dir.split("/").length >= 2);
    const patterns = layout.patterns.map((p) => `'${p.pattern}'`);
    const hint = `set \`layout\` in ${input.configFile}, for example \`layout: [${[...new Set([...patterns, `'${suggestion}'`])].join(", ")}]\``;
    const message = `0 bundles checked: the hub's layout (${layout.description}) matches none of the ${stray.length === 1 ? "manifest.yml here" : `${stray.length} manifest.yml files here`} (${stray.slice(0, 3).join(", ")}${stray.length > 3 ? ", …" : ""}); ${hint}.`;
    return {
      nothing: { reason: "layout-matches-nothing", message },
      findings: stray
        .slice(0, 20)
        .map((path) =>
          finding(
            path,
            "warning",
            "hub/layout-matches-nothing",
            `this manifest.yml is at no place of the hub's layout (${layout.description}), so its bundle was not checked; ${hint}.`,
          ),
        ),
    };
  }
  if (change) {
    if (change.removed.length > 0)
      return {
        nothing: {
          reason: "only-deleted-bundles",
          message: `0 bundles checked: the change deletes ${change.removed.length === 1 ? `the bundle ${change.removed[0]}` : `${change.removed.length} bundles (${change.removed.slice(0, 3).join(", ")}${change.removed.length > 3 ? ", …" : ""})`}; deleted bundles are not checked.`,
        },
        findings: [],
      };
    return {
      nothing: {
        reason: "no-bundle-changed",
        message: `0 bundles checked: no bundle changed (${change.files} changed file${change.files === 1 ? "" : "s"}, none in a bundle at ${layout.description}).`,
      },
      findings: [],
    };
  }
  return {
    nothing: {
      reason: "no-bundle-here",
      message: `0 bundles checked: no folder at ${layout.description} holds a manifest.yml or a Dockerfile here.`,
    },
    findings: [],
  };
}
