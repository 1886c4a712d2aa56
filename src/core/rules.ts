/**
 * The rule catalogue: every rule hubgate reports, in one place. Findings carry a `RuleId`
 * (a type, not a free string), and every output reads the rest from here: SARIF rule
 * descriptions, the "Why does my upload fail?" checklist, JUnit failure types, Code Quality
 * categories and the README's rules table (test/core/rules-readme.test.ts keeps it in step).
 */
import type { Level } from "./finding.js";

/** The seed's "Why does my upload fail?" causes, in its order. */
export type ChecklistKey = "files" | "fields" | "values" | "placement" | "build";

export const CHECKLIST_ORDER: readonly ChecklistKey[] = ["files", "fields", "values", "placement", "build"];

export const CHECKLIST_LABELS: Record<ChecklistKey, string> = {
  files: "Required files Dockerfile and manifest.yml are present",
  fields: "Required fields in manifest.yml are present",
  values: "Field values are in the correct format and pass the sanity check",
  placement: "The pod bundle is correctly placed",
  build: "The image builds and passes the three basic usage tests (run, pod, replicas)",
};

export interface RuleSpec {
  /** The level the rule reports at by default (a hub may change some, e.g. the version bump). */
  readonly level: Level;
  /** The checklist item an error of this rule crosses out; null for findings outside a bundle's
   *  checklist (hub configuration, publishing notices). */
  readonly checklist: ChecklistKey | null;
  /** One line: what the rule checks. */
  readonly title: string;
  /** Why it matters, for rule descriptions (SARIF, README). */
  readonly help: string;
  /** How to fix a finding of this rule. */
  readonly fix: string;
}

const field = (name: string, title: string, fix: string, required = false): RuleSpec => ({
  level: "error",
  checklist: "values",
  title,
  help: `manifest.yml's \`${name}\` field${required ? " (required)" : ""} must pass the hub's schema.`,
  fix,
});

export const RULES = {
  // ------------------------------------------------------------ bundle files and placement
  "bundle/missing-file": {
    level: "error",
    checklist: "files",
    title: "A bundle has its required files",
    help: "Every bundle folder holds a Dockerfile (how the image is built) and a manifest.yml (what the image is); a hub may require more files.",
    fix: "Add the missing file at the top of the bundle folder; names are case-sensitive (Dockerfile, manifest.yml).",
  },
  "bundle/recommended-file": {
    level: "warning",
    checklist: "files",
    title: "A bundle has the recommended files",
    help: "The executor config (config.yml), requirements.txt, the Python code and tests/ make a bundle usable and testable.",
    fix: "Add the file, or change `files.recommended` in the hub's .hubgate.yml.",
  },
  "bundle/symlink-escape": {
    level: "error",
    checklist: "files",
    title: "No symlink points outside its bundle",
    help: "A symlink leading out of the bundle could read the host's or another bundle's files; hubgate never follows one.",
    fix: "Replace the symlink with the file itself.",
  },
  "bundle/badly-placed": {
    level: "error",
    checklist: "placement",
    title: "Every file lives in its bundle's folder",
    help: "Files in the hub's folders belong to a bundle (a folder holding manifest.yml at a place matching the hub's layout).",
    fix: "Move the file into its bundle's folder, or set `layout` in .hubgate.yml to where your bundles are.",
  },
  "archive/limit": {
    level: "error",
    checklist: "files",
    title: "The change unpacks within the hub's archive limits",
    help: "The head commit's archive is unpacked with limits on entries, bytes and links; a change beyond them is not checked, so a hostile archive cannot exhaust the server.",
    fix: "Keep large data out of the bundle (download it at build time or at start-up), and keep links inside the bundle.",
  },
  "hub/layout-matches-nothing": {
    level: "warning",
    checklist: null,
    title: "The hub's layout finds its bundles",
    help: "The tree holds manifest.yml files, but none sits where the hub's `layout` expects a bundle, so nothing was checked.",
    fix: "Set `layout` in .hubgate.yml to one pattern or a list, e.g. ['{kinds}/{domain}/{name}', '{kinds}/{name}'].",
  },
  // ------------------------------------------------------------ hub configuration
  "config/yaml": {
    level: "error",
    checklist: null,
    title: ".hubgate.yml is valid YAML",
    help: "The hub's configuration is read from the base branch; a syntax error there stops every check until it is fixed.",
    fix: "Fix the YAML syntax at the reported line of .hubgate.yml on the base branch.",
  },
  "config/invalid": {
    level: "error",
    checklist: null,
    title: ".hubgate.yml passes the configuration schema",
    help: "Every key of .hubgate.yml is known and has a valid value (schemas/config.schema.json).",
    fix: "Correct the reported key of .hubgate.yml on the base branch; unknown keys are refused so a typo is never silently ignored.",
  },
  // ------------------------------------------------------------ manifest.yml as a file
  "manifest/too-large": {
    level: "error",
    checklist: "fields",
    title: "manifest.yml is small",
    help: "A manifest holds metadata only; a large one is a mistake or an attack and is not parsed.",
    fix: "Keep manifest.yml under 256 KiB: move long texts into the README.",
  },
  "manifest/yaml": {
    level: "error",
    checklist: "fields",
    title: "manifest.yml is valid YAML",
    help: "A manifest that cannot be parsed has none of its fields.",
    fix: "Fix the indentation or quoting at the reported line.",
  },
  "manifest/duplicate-key": {
    level: "error",
    checklist: "values",
    title: "Each manifest key appears once",
    help: "With a repeated key, which value counts depends on the reader.",
    fix: "Delete or merge the repeated key.",
  },
  "manifest/not-mapping": {
    level: "error",
    checklist: "fields",
    title: "manifest.yml is a mapping",
    help: "manifest.yml maps keys to values (name: ..., kind: ...).",
    fix: "Write the manifest as `key: value` lines.",
  },
  "manifest/alias-bomb": {
    level: "error",
    checklist: "fields",
    title: "YAML aliases stay small",
    help: "Anchors and aliases that expand exponentially would exhaust memory; they are refused.",
    fix: "Write the values out instead of using anchors and aliases.",
  },
  "manifest/required": {
    level: "error",
    checklist: "fields",
    title: "Required manifest fields are present",
    help: "name, kind, type and description are required (the hub's schema may require more).",
    fix: "Add the missing field, e.g. `name: AwesomeEncoder`.",
  },
  "manifest/unknown-key": {
    level: "warning",
    checklist: "values",
    title: "Every manifest key is known",
    help: "A key the hub does not know is ignored; it is often a typo of a known one.",
    fix: "Rename the key to the suggested one, or remove it.",
  },
  "manifest/schema": {
    level: "error",
    checklist: "values",
    title: "manifest.yml passes the hub's schema",
    help: "Any other schema rule of the hub's manifest schema.",
    fix: "Change the value as the message says.",
  },
  // ------------------------------------------------------------ manifest fields
  "manifest/manifest_version": field(
    "manifest_version",
    "manifest_version is a number",
    "Write a number such as `manifest_version: 1`.",
  ),
  "manifest/name": field(
    "name",
    "The name matches the hub's name pattern",
    "Rename within the hub's pattern (default: 4 to 21 characters, starting with a letter, _ or $).",
    true,
  ),
  "manifest/kind": field(
    "kind",
    "The kind is a lower-case word",
    "Write the kind in lower case, e.g. `kind: encoder`.",
    true,
  ),
  "manifest/type": field("type", "The type is pod or app", "Write `type: pod` or `type: app`.", true),
  "manifest/description": field("description", "The description is text", "Write one line of text.", true),
  "manifest/author": field("author", "The author is text", "Write the author's name and address as text."),
  "manifest/url": field("url", "The url is an address", "Write a full address such as https://example.com."),
  "manifest/documentation": field(
    "documentation",
    "The documentation link is an address",
    "Write a full address such as https://example.com/docs.",
  ),
  "manifest/version": field(
    "version",
    "The version is strict SemVer",
    'Write one exact version such as "1.2.3" (quoted, no leading v).',
  ),
  "manifest/vendor": field("vendor", "The vendor is text", "Write the vendor as text."),
  "manifest/license": field(
    "license",
    "The license is an accepted key",
    "Use one of the accepted license keys, e.g. apache-2.0.",
  ),
  "manifest/keywords": field(
    "keywords",
    "The keywords are a list of text",
    "Write a list such as `keywords: [image, encoder]`.",
  ),
  "manifest/avatar": field(
    "avatar",
    "The avatar is an address or empty",
    "Write an image address or leave it empty.",
  ),
  "manifest/platform": field(
    "platform",
    "The platform is text or a list",
    "Write one platform or a list of them.",
  ),
  "manifest/update": field(
    "update",
    "The update policy is valid",
    "Write a valid update policy or leave it empty.",
  ),
  "manifest/tags": field(
    "tags",
    "The tags are a list of text",
    "Write a list such as `tags: [gpu, stable]`.",
  ),
  "manifest/protected_tags": field(
    "protected_tags",
    "The protected tags are a list of text",
    "Write a list such as `protected_tags: [v1-lts]`.",
  ),
  // ------------------------------------------------------------ image tags
  "tags/invalid": {
    level: "error",
    checklist: "values",
    title: "Each tag is a valid Docker tag",
    help: "A tag is up to 128 letters, digits, _, . and -, and does not start with . or -.",
    fix: "Rename the tag, e.g. gpu, stable or v1-lts.",
  },
  "tags/version": {
    level: "error",
    checklist: "values",
    title: "No extra tag is named like a version",
    help: "Versions are tagged (and protected) from manifest.yml's version; an extra tag named like a version would collide with that bundle version's tag.",
    fix: "Use a name that is not a version, such as gpu or stable.",
  },
  "tags/protected-collision": {
    level: "error",
    checklist: "values",
    title: "No ordinary tag is also a protected tag",
    help: "A protected tag is pushed once and never moved; an ordinary tag of the same name would move it.",
    fix: "Keep the tag in one list: tags or protected_tags (the hub's protected_tags count too).",
  },
  "tags/latest-protected": {
    level: "error",
    checklist: "values",
    title: "latest is never protected",
    help: "latest moves forward with every newer stable version, so it cannot be pushed only once.",
    fix: "Remove latest from protected_tags.",
  },
  "manifest/tasks": field(
    "tasks",
    "The catalogue tasks are a list of names",
    "Write a list of task names, e.g. `tasks: [Train, Predict]`.",
  ),
  "manifest/cpu": field("cpu", "The cpu flag is true or false", "Write `cpu: true` or `cpu: false`."),
  "manifest/cuda_version": field(
    "cuda_version",
    "The CUDA version is a dotted number",
    'Write the CUDA version quoted, e.g. `cuda_version: "11.8"` (unquoted 11.8 is a number).',
  ),
  "manifest/framework": field(
    "framework",
    "The framework is a short name",
    "Write the framework's name, e.g. `framework: pytorch`.",
  ),
  "manifest/min_hardware_generation": field(
    "min_hardware_generation",
    "The minimum hardware generation is a short name",
    "Write the oldest hardware generation the image runs on, e.g. `min_hardware_generation: volta`.",
  ),
  "manifest/domain": field(
    "domain",
    "The domain is a short text",
    "Write the domain in at most 64 characters, or leave it out to use the layout's {domain} folder.",
  ),
  // ------------------------------------------------------------ rules across fields and branches
  "manifest/allowed-kind": {
    level: "error",
    checklist: "values",
    title: "The kind is one the hub allows",
    help: "A hub may list the kinds it accepts (`kinds` in .hubgate.yml).",
    fix: "Use one of the hub's kinds, or ask the hub's maintainers to add yours.",
  },
  "manifest/kind-folder": {
    level: "error",
    checklist: "placement",
    title: "The kind matches the bundle's folder",
    help: "A bundle lives in the folder of its kind (encoders/ holds kind: encoder).",
    fix: "Move the bundle to its kind's folder or correct the kind.",
  },
  "manifest/version-bump": {
    level: "error",
    checklist: "values",
    title: "A changed bundle raises its version",
    help: "An image tag names one content; a changed bundle (moves and renames included) needs a new version. A hub sets the policy with `versionBump`.",
    fix: "Raise `version` above the base branch's, e.g. the next patch version.",
  },
  "image/reference": {
    level: "error",
    checklist: "values",
    title: "The manifest makes a valid image reference",
    help: "namespace/type.kind.name:version must be a valid Docker reference (name lower-cased, spaces become -, + becomes _).",
    fix: "Remove characters a Docker reference cannot hold (e.g. $, leading _ or -).",
  },
  // ------------------------------------------------------------ build and smoke tests
  "build/context-too-large": {
    level: "error",
    checklist: "build",
    title: "The build context is within the hub's size limit",
    help: "The bundle folder is the image's build context; a hub caps its size (`build.maxContextBytes`).",
    fix: "Exclude large files with a .dockerignore, or download them at run time.",
  },
  "build/failed": {
    level: "error",
    checklist: "build",
    title: "The image builds",
    help: "The bundle's Dockerfile builds without errors.",
    fix: "Fix the Dockerfile step shown in the build log; reproduce with `hubgate check PATH --build`.",
  },
  "build/timeout": {
    level: "error",
    checklist: "build",
    title: "The image builds in time",
    help: "A build is stopped after the hub's time limit (`build.timeoutSeconds`).",
    fix: "Make the build faster (smaller base image, fewer downloads) or ask for a longer limit.",
  },
  "smoke/run": {
    level: "error",
    checklist: "build",
    title: "Smoke test run: the image starts and exits cleanly",
    help: "`docker run IMAGE --max-idle-time 5 --shutdown-idle` exits 0 in time.",
    fix: "Reproduce with `hubgate check PATH --build` and read the container's last lines.",
  },
  "smoke/pod": {
    level: "error",
    checklist: "build",
    title: "Smoke test pod: ready with the bundle's config, stops on SIGTERM",
    help: "Started with `--uses config.yml` the container becomes ready, then stops cleanly on SIGTERM.",
    fix: "Reproduce with `hubgate check PATH --build`; check config.yml and the ready message.",
  },
  "smoke/replicas": {
    level: "error",
    checklist: "build",
    title: "Smoke test replicas: several copies run side by side",
    help: "Three such containers at once all become ready and stop cleanly.",
    fix: "Reproduce with `hubgate check PATH --build`; avoid fixed ports and shared files.",
  },
  // ------------------------------------------------------------ publishing (after merge)
  "publish/published": {
    level: "notice",
    checklist: null,
    title: "Published",
    help: "The tested image was pushed to the hub's registry.",
    fix: "Nothing to do.",
  },
  "publish/not-configured": {
    level: "notice",
    checklist: null,
    title: "No registry configured",
    help: "Validated and built; nothing is pushed without HUBGATE_REGISTRY.",
    fix: "Set HUBGATE_REGISTRY to publish on merge.",
  },
  "publish/version-exists": {
    level: "error",
    checklist: "build",
    title: "A published version is never replaced",
    help: "A version already published with different content is refused.",
    fix: "Raise the version in manifest.yml.",
  },
  "publish/protected-tag": {
    level: "error",
    checklist: "build",
    title: "A protected tag is pushed only once",
    help: "A protected tag that was already pushed is never pushed again, with other content or the same; the publish is refused before any upload.",
    fix: "Remove the tag from protected_tags / --protected-tag, or choose a new tag.",
  },
  "publish/skipped": {
    level: "notice",
    checklist: null,
    title: "Not published",
    help: "The bundle was not published (the message says why).",
    fix: "Read the message; nothing may be wrong.",
  },
} as const satisfies Record<string, RuleSpec>;

export type RuleId = keyof typeof RULES;

export interface Rule extends RuleSpec {
  readonly id: RuleId;
}

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

export function rule(id: RuleId): Rule {
  return { id, ...(RULES[id] as RuleSpec) };
}

/** Every rule, in catalogue order. */
export function allRules(): Rule[] {
  return RULE_IDS.map(rule);
}

/** The rule for a schema problem at a manifest field; fields without their own rule share one. */
export function manifestFieldRule(field: string): RuleId {
  const id = `manifest/${field}`;
  return isRuleId(id) ? id : "manifest/schema";
}

/** The checklist item a rule's errors cross out; rules outside the checklist count nowhere. */
export function ruleChecklist(id: RuleId): ChecklistKey | null {
  return RULES[id].checklist;
}

/** The smoke-test rule of a smoke test. */
export function smokeRule(name: "run" | "pod" | "replicas"): RuleId {
  return `smoke/${name}`;
}
