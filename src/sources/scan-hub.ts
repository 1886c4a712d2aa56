import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { BundleLayout } from "../core/bundle-layout.js";

export interface HubScan {
  /** Bundle folders, relative to the hub root. */
  bundles: string[];
  /** Files found where only folders belong (executors/x.py), relative to the hub root. */
  stray: string[];
}

/** A hub folder could not be read: the CLI exits 2 rather than report "0 bundles". */
export class HubScanError extends Error {
  override readonly name = "PlanError";
}

const isPlaceholder = (s: string) => s.startsWith("{");

/** Walk the layout's levels below `hubDir`: every folder at the last level is a bundle. */
export async function scanHub(hubDir: string, layout: BundleLayout): Promise<HubScan> {
  let level: string[] = [""];
  const stray: string[] = [];
  for (let i = 0; i < layout.segments.length; i++) {
    const segment = layout.segments[i]!;
    const next: string[] = [];
    for (const parent of level) {
      const children = await readdir(join(hubDir, parent), { withFileTypes: true }).catch(
        (error: NodeJS.ErrnoException) => {
          // Fail closed: a folder we may not read is never "no bundles here".
          if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
          throw new HubScanError(`${join(hubDir, parent)} cannot be read (${error.code ?? error.message})`);
        },
      );
      for (const child of children) {
        const rel = parent ? `${parent}/${child.name}` : child.name;
        if (!child.isDirectory()) {
          if (i > 0 && !isPlaceholder(layout.segments[0]!) && !child.name.startsWith(".")) stray.push(rel);
          continue;
        }
        if (isPlaceholder(segment) ? !child.name.startsWith(".") : child.name === segment) next.push(rel);
      }
    }
    level = next;
  }
  return { bundles: level.sort(), stray: stray.sort() };
}
