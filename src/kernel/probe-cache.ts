import { digest } from "../source/cache.js";
import { derivedDir, readDerived, writeDerived } from "../source/derived.js";
import { settled, statSignature } from "../source/stat-memo.js";
import type { Feature } from "./features.js";
import type { KernelTarget } from "./target.js";

/** What the probes found in one target, and every header path they looked at (found or not). */
export interface Probed {
  features: Feature[];
  looked: string[];
  /** The stat of each looked-at path before it was read (statSignature: "-" for an absent path). */
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
  const saved = readDerived(dir, name) as Partial<Probed> | undefined;
  if (isSaved(saved) && saved.looked.every((path, i) => statSignature(path) === saved.stats[i]))
    return saved.features;
  const probed = await probe();
  // Kept only when no header changed while it was read, nor so recently that a change could hide.
  const unchanged = probed.looked.every((path, i) => statSignature(path) === probed.stats[i]);
  if (unchanged && settled(probed.looked)) writeDerived(dir, name, JSON.stringify(probed));
  return probed.features;
}

function isSaved(saved: Partial<Probed> | undefined): saved is Probed {
  return (
    Array.isArray(saved?.features) &&
    Array.isArray(saved.looked) &&
    Array.isArray(saved.stats) &&
    saved.looked.length === saved.stats.length
  );
}
