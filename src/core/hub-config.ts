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
  /** Run smoke containers as this user (`uid[:gid]` or a name in the image); default: the image's USER. */
  user?: string;
}

export interface BuildConfig {
  maxContextBytes: number;
  timeoutSeconds: number;
  buildArgs: Record<string, string>;
  /** Memory of each build step's container (RUN), MB; swap is not added on top. */
  memoryMb: number;
  /** CPUs each build step may use. */
  cpus: number;
  /** `default`: RUN steps reach the network (package installs); `none`: no network at all. */
  network: "default" | "none";
  /** Build output kept flowing past this many bytes stops the build (a finding). */
  maxLogBytes: number;
}

export interface HubConfig {
  layout: string;
  namespace: string;
  kindMustMatchFolder: boolean;
  requireVersionBump: boolean;
  build: BuildConfig;
  smoke: SmokeConfig;
}

export const DEFAULT_HUB_CONFIG: HubConfig = {
  layout: "executors/{kinds}/{name}",
  namespace: "jinahub",
  kindMustMatchFolder: true,
  requireVersionBump: true,
  build: {
    maxContextBytes: 200 * 1024 * 1024,
    timeoutSeconds: 1200,
    buildArgs: {},
    memoryMb: 2048,
    cpus: 2,
    network: "default",
    maxLogBytes: 10 * 1024 * 1024,
  },
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

export type HubConfigInput = Partial<Omit<HubConfig, "build" | "smoke">> & {
  build?: Partial<BuildConfig>;
  smoke?: Partial<SmokeConfig>;
};

export function resolveHubConfig(input: HubConfigInput = {}): HubConfig {
  return {
    ...DEFAULT_HUB_CONFIG,
    ...input,
    build: { ...DEFAULT_HUB_CONFIG.build, ...input.build },
    smoke: { ...DEFAULT_HUB_CONFIG.smoke, ...input.smoke },
  };
}
