/**
 * The hub's configuration (schemas/config.schema.json) with every default filled in.
 * Pure: the raw object is read and validated by the caller (src/config/) and injected.
 */
export interface SmokeConfig {
  runArgs: string[];
  podArgs: string[];
  readyPattern: string;
  replicas: number;
  timeoutSeconds: number;
  stopTimeoutSeconds: number;
  memoryMb: number;
  cpus: number;
  pids: number;
}

export interface BuildConfig {
  maxContextBytes: number;
  timeoutSeconds: number;
  buildArgs: Record<string, string>;
}

/** Bundles publish into an organisation's namespace when they sit in one of its folders or come from one of its owners. */
export interface OrganizationMapping {
  organization: string;
  /** Bundle folders (or folders above them), e.g. `executors/encoders/AcmeEncoder`. */
  folders?: string[];
  /** Pull/merge-request owners (GitHub login or GitLab namespace of the source project). */
  owners?: string[];
}

/** What a changed bundle that keeps its version gets: an error, a warning, or nothing. */
export type VersionBumpPolicy = "error" | "warning" | "off";

/**
 * Files a bundle must or should hold. An entry is a top-level file name (`Dockerfile`), a
 * folder (`tests/`) or a name pattern matched anywhere in the bundle (`*.py`); `config.yml`
 * stands for the executor config, any top-level YAML file other than manifest.yml.
 * Dockerfile and manifest.yml are always required: without them nothing can be built or named.
 */
export interface FileRules {
  required: string[];
  recommended: string[];
}

export interface HubConfig {
  /** One pattern or a list (see core/bundle-layout.ts). */
  layout: string | string[];
  namespace: string;
  /** The regular expression a manifest's name must match (the seed's: 4 to 21 characters). */
  namePattern: string;
  /** The kinds the hub accepts; undefined accepts any kind the manifest schema allows. */
  kinds?: string[];
  kindMustMatchFolder: boolean;
  versionBump: VersionBumpPolicy;
  files: FileRules;
  /** Extra tags for every bundle (`tags:` in .hubgate.yml). */
  tags: string[];
  /** Protected tags for every bundle (`protected_tags:` in .hubgate.yml). */
  protectedTags: string[];
  organizations: OrganizationMapping[];
  build: BuildConfig;
  smoke: SmokeConfig;
}

/** The seed's name rule (jina-hub's builder, 2020): a letter, _ or $, then 3 to 20 more. */
export const SEED_NAME_PATTERN = "^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{3,20}$";

export const DEFAULT_HUB_CONFIG: HubConfig = {
  layout: "executors/{kinds}/{name}",
  namespace: "jinahub",
  namePattern: SEED_NAME_PATTERN,
  kindMustMatchFolder: true,
  tags: [],
  protectedTags: [],
  organizations: [],
  versionBump: "error",
  files: {
    required: ["Dockerfile", "manifest.yml"],
    recommended: ["config.yml", "requirements.txt", "*.py", "tests/"],
  },
  build: { maxContextBytes: 200 * 1024 * 1024, timeoutSeconds: 1200, buildArgs: {} },
  smoke: {
    runArgs: ["--max-idle-time", "5", "--shutdown-idle"],
    podArgs: ["--uses", "config.yml"],
    readyPattern: "ready and listening",
    replicas: 3,
    timeoutSeconds: 60,
    stopTimeoutSeconds: 10,
    memoryMb: 512,
    cpus: 1,
    pids: 256,
  },
};

export type HubConfigInput = Partial<Omit<HubConfig, "build" | "smoke" | "files" | "protectedTags">> & {
  build?: Partial<BuildConfig>;
  smoke?: Partial<SmokeConfig>;
  files?: Partial<FileRules>;
  /** Before `versionBump`: true is "error", false is "off". */
  requireVersionBump?: boolean;
  /** As written in .hubgate.yml (the manifest's spelling). */
  protected_tags?: string[];
};

const ALWAYS_REQUIRED = ["Dockerfile", "manifest.yml"];

export function resolveHubConfig(input: HubConfigInput = {}): HubConfig {
  const { requireVersionBump, files, protected_tags: protectedTags, ...rest } = input;
  const required = files?.required ?? DEFAULT_HUB_CONFIG.files.required;
  return {
    ...DEFAULT_HUB_CONFIG,
    ...rest,
    protectedTags: protectedTags ?? DEFAULT_HUB_CONFIG.protectedTags,
    versionBump:
      input.versionBump ??
      (requireVersionBump === undefined
        ? DEFAULT_HUB_CONFIG.versionBump
        : requireVersionBump
          ? "error"
          : "off"),
    files: {
      required: [...ALWAYS_REQUIRED, ...required.filter((f) => !ALWAYS_REQUIRED.includes(f))],
      recommended: files?.recommended ?? DEFAULT_HUB_CONFIG.files.recommended,
    },
    build: { ...DEFAULT_HUB_CONFIG.build, ...input.build },
    smoke: { ...DEFAULT_HUB_CONFIG.smoke, ...input.smoke },
  };
}

/**
 * The organisation a bundle publishes into: the first mapping with a folder containing the
 * bundle, else the first naming the change's owner; undefined = the hub's namespace.
 */
export function organizationFor(config: HubConfig, bundlePath: string, owner?: string): string | undefined {
  const inFolder = (folder: string) => {
    const prefix = folder.replace(/\/+$/, "");
    return bundlePath === prefix || bundlePath.startsWith(`${prefix}/`);
  };
  return (
    config.organizations.find((m) => m.folders?.some(inFolder))?.organization ??
    (owner === undefined
      ? undefined
      : config.organizations.find((m) => m.owners?.some((o) => o.toLowerCase() === owner.toLowerCase()))
          ?.organization)
  );
}
