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

export interface HubConfig {
  layout: string;
  namespace: string;
  kindMustMatchFolder: boolean;
  requireVersionBump: boolean;
  /** Extra tags for every bundle (`tags:` in .hubgate.yml). */
  tags: string[];
  /** Protected tags for every bundle (`protected_tags:` in .hubgate.yml). */
  protectedTags: string[];
  organizations: OrganizationMapping[];
  build: BuildConfig;
  smoke: SmokeConfig;
}

export const DEFAULT_HUB_CONFIG: HubConfig = {
  layout: "executors/{kinds}/{name}",
  namespace: "jinahub",
  kindMustMatchFolder: true,
  requireVersionBump: true,
  tags: [],
  protectedTags: [],
  organizations: [],
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

export type HubConfigInput = Partial<Omit<HubConfig, "build" | "smoke" | "protectedTags">> & {
  build?: Partial<BuildConfig>;
  smoke?: Partial<SmokeConfig>;
  /** As written in .hubgate.yml (the manifest's spelling). */
  protected_tags?: string[];
};

export function resolveHubConfig(input: HubConfigInput = {}): HubConfig {
  const { protected_tags: protectedTags, ...rest } = input;
  return {
    ...DEFAULT_HUB_CONFIG,
    ...rest,
    protectedTags: protectedTags ?? DEFAULT_HUB_CONFIG.protectedTags,
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
