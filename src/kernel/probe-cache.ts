import { statSync } from "node:fs";
import { derivedDir, digest, readDerived, writeDerived } from "../source/cache.js";
import type { Feature } from "./features.js";
import type { KernelTarget } from "./target.js";

/** What the probes found in one target, and every header path they looked at (found or not). */
export interface Probed {
  features: Feature[];
  looked: string[];
}

interface Saved extends Probed {
  /** The stat of each looked-at path when probed: "-" for a path that did not exist. */
  stats: string[];
}

/**
 * The probes' results for a target, kept in the cache beside the stat of every header path they looked
 * at: a run against the same kernel tree reads no header again unless one changed (size, mtime, ctime or
 * inode), appeared or vanished. Tokenizing the headers was a third of a cached run's own time.
 */
export async function cachedProbe(
  target: KernelTarget,
  cacheDir: string,
  probe: () => Promise<Probed>,
): Promise<Feature[]> {
  const dir = derivedDir(cacheDir, "probes");
  const name = `${digest(target.dir, target.sourceDir, target.version).slice(0, 32)}.json`;
  const saved = readDerived(dir, name) as Partial<Saved> | undefined;
  if (isSaved(saved) && saved.looked.every((path, i) => statOf(path) === saved.stats[i]))
    return saved.features;
  const probed = await probe();
  writeDerived(dir, name, JSON.stringify({ ...probed, stats: probed.looked.map(statOf) } satisfies Saved));
  return probed.features;
}

function statOf(path: string): string {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${s.dev}` : "-";
}

function isSaved(saved: Partial<Saved> | undefined): saved is Saved {
  return (
    Array.isArray(saved?.features) &&
    Array.isArray(saved.looked) &&
    Array.isArray(saved.stats) &&
    saved.looked.length === saved.stats.length
  );
}
