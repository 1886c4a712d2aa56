import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";

/**
 * A second Docker engine of the test's own, for faults that cannot be staged on the shared
 * one: its own dockerd (and the containerd it manages), data root, exec root, pid file and
 * socket in a temp folder, and its own bridge (`--bridge`), which a test may delete. The
 * shared engine and its docker0 are never touched. Needs root (dockerd, `ip link`).
 */
export interface SecondEngine {
  /** The temp folder holding everything of this engine. */
  dir: string;
  socketPath: string;
  /** `unix://…`, for DOCKER_HOST. */
  dockerHost: string;
  bridge: string;
  docker: Dockerode;
  /** The engine's last log lines (for failure messages). */
  log(): string;
  /** `ip link delete` the engine's bridge: its next networked container cannot be set up. */
  deleteBridge(): void;
  /** SIGKILL dockerd (its containerd goes with it; containers and their shims stay). */
  kill9(): Promise<void>;
  /** Stop everything this engine started and remove every trace (processes, mounts, bridge, files). */
  close(): Promise<void>;
}

export async function startSecondEngine(): Promise<SecondEngine> {
  if (process.getuid?.() !== 0) throw new Error("a second Docker engine needs root (dockerd, ip link)");
  // Unix socket paths (containerd's is deepest) must stay under 108 bytes: a deep TMPDIR yields to /tmp.
  const parent = tmpdir().length <= 40 ? tmpdir() : "/tmp";
  const dir = await mkdtemp(join(parent, "hubgate-engine-"));
  const id = randomBytes(4).toString("hex");
  const bridge = `hgbr${id}`; // at most 15 characters: a Linux interface name
  const cgroupParent = `hubgate-test-${id}`;
  const namespace = `hubgate-test-${id}`;
  const socketPath = join(dir, "docker.sock");
  const execRoot = join(dir, "exec");
  const logFile = join(dir, "dockerd.log");
  const subnet = freeSubnet();
  const addBridge = () => {
    execFileSync("ip", ["link", "add", "name", bridge, "type", "bridge"]);
    execFileSync("ip", ["addr", "add", `${subnet}.1/24`, "dev", bridge]);
    execFileSync("ip", ["link", "set", bridge, "up"]);
  };
  // Its own (empty) configuration: the shared engine's daemon.json must not apply here.
  writeFileSync(join(dir, "daemon.json"), "{}\n");
  const args = [
    "--config-file",
    join(dir, "daemon.json"),
    "--data-root",
    join(dir, "data"),
    "--exec-root",
    execRoot,
    "--pidfile",
    join(dir, "dockerd.pid"),
    "--host",
    `unix://${socketPath}`,
    "--bridge",
    bridge,
    // The shared engine's iptables chains stay as they are.
    "--iptables=false",
    "--ip-masq=false",
    // Should a system containerd be used, its containers are in a namespace of their own.
    "--containerd-namespace",
    namespace,
    "--containerd-plugins-namespace",
    `${namespace}-plugins`,
    "--cgroup-parent",
    cgroupParent,
  ];
  const docker = new Dockerode({ socketPath });
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = () =>
    existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;

  const startDaemon = async () => {
    const fd = openSync(logFile, "a");
    // TMPDIR: containerd writes its stack dumps there; they stay in our folder.
    proc = spawn("dockerd", args, { stdio: ["ignore", fd, fd], env: { ...process.env, TMPDIR: dir } });
    closeSync(fd);
    const child = proc;
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    for (let i = 0; i < 600; i++) {
      if (!running()) throw new Error(`the second dockerd exited at start:\n${log()}`);
      if (
        await docker.ping().then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the second dockerd did not answer within 60 s:\n${log()}`);
  };
  const stopDaemon = async () => {
    if (!running()) return;
    proc!.kill("SIGTERM");
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000)),
    ]);
    if (!stopped) {
      proc!.kill("SIGKILL");
      await exited;
    }
  };
  const bridgeExists = () => {
    try {
      execFileSync("ip", ["link", "show", bridge], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };

  try {
    addBridge();
    await startDaemon();
  } catch (error) {
    await cleanUp();
    throw error;
  }

  async function cleanUp(): Promise<void> {
    await stopDaemon();
    // Killed with containers running: a restart lets the engine reconcile them (it kills them,
    // and its containerd ends their shims), and a clean stop takes them down with it.
    if (leftoverShims(execRoot).length > 0) {
      try {
        if (!bridgeExists()) addBridge();
        await startDaemon();
      } catch {
        // Whatever still runs is ended below.
      }
      await stopDaemon();
    }
    // Last resort, by process id: our containers' processes (in our cgroup parent), our shims.
    for (const pid of cgroupProcesses(cgroupParent)) killQuietly(pid);
    for (const shim of leftoverShims(execRoot)) {
      killQuietly(shim.pid);
      // containerd 1.6 puts shim sockets in /run/containerd/s/<sha256(address/namespace/id)>.
      const hash = createHash("sha256")
        .update(join(shim.address, shim.namespace, shim.id))
        .digest("hex");
      rmSync(join("/run/containerd/s", hash), { force: true });
    }
    for (const mount of mountsUnder(dir)) {
      try {
        execFileSync("umount", ["-R", mount], { stdio: "ignore" });
      } catch {
        // Already gone with its parent.
      }
    }
    removeCgroups(cgroupParent);
    if (bridgeExists()) execFileSync("ip", ["link", "delete", bridge]);
    rmSync(dir, { recursive: true, force: true });
  }

  return {
    dir,
    socketPath,
    dockerHost: `unix://${socketPath}`,
    bridge,
    docker,
    log,
    deleteBridge: () => execFileSync("ip", ["link", "delete", bridge]),
    async kill9() {
      if (!running()) return;
      proc!.kill("SIGKILL");
      await exited;
    },
    close: cleanUp,
  };
}

/** A 10.213.N.0/24 no interface of this machine uses (several test engines may run at once). */
function freeSubnet(): string {
  const used = execFileSync("ip", ["-4", "-o", "addr"], { encoding: "utf8" });
  for (;;) {
    const subnet = `10.213.${Math.floor(Math.random() * 256)}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
}

interface Shim {
  pid: number;
  address: string;
  namespace: string;
  id: string;
}

/** containerd shims serving this engine's containerd (their -address is under our exec root). */
function leftoverShims(execRoot: string): Shim[] {
  const shims: Shim[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv[0]?.includes("containerd-shim")) continue;
    const option = (name: string) => argv[argv.indexOf(name) + 1] ?? "";
    const address = option("-address");
    if (address.startsWith(`${execRoot}/`))
      shims.push({ pid: Number(entry), address, namespace: option("-namespace"), id: option("-id") });
  }
  return shims;
}

/** Every cgroup folder of our cgroup parent (cgroup v1: one per controller; v2: one). */
function cgroupDirs(cgroupParent: string): string[] {
  const roots = existsSync("/sys/fs/cgroup/cgroup.controllers")
    ? ["/sys/fs/cgroup"]
    : readdirSync("/sys/fs/cgroup").map((c) => join("/sys/fs/cgroup", c));
  return roots.map((root) => join(root, cgroupParent)).filter((d) => existsSync(d));
}

function cgroupProcesses(cgroupParent: string): number[] {
  const pids = new Set<number>();
  const walk = (d: string) => {
    for (const line of readFileSafe(join(d, "cgroup.procs")).split("\n")) if (line) pids.add(Number(line));
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  for (const d of cgroupDirs(cgroupParent)) walk(d);
  return [...pids];
}

function removeCgroups(cgroupParent: string): void {
  const remove = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) remove(join(d, e.name));
    try {
      rmdirSync(d);
    } catch {
      // Busy for a moment after its last process: left for the kernel (it holds no files).
    }
  };
  for (const d of cgroupDirs(cgroupParent)) remove(d);
}

/** Mount points at or below `dir`, outermost first (`umount -R` takes what is below). */
function mountsUnder(dir: string): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)));
  return [...new Set(points)].sort((a, b) => a.length - b.length);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
