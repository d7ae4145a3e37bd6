import { readFileSync, statSync } from "node:fs";
import { digest } from "./cache.js";
import { derivedDir, readDerived, writeDerived } from "./derived.js";

/** A file as derived results know it: size, times and inode; "-" for a path that does not exist. */
export function statSignature(path: string): string {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${s.dev}` : "-";
}

/** How long a file must have been left alone before its stat vouches for its content (see settled). */
const SETTLE_MS = 2000;

/**
 * Whether the files last changed long enough ago that any later change shows in their stat. The kernel
 * stamps times with a coarse clock: a file rewritten within the same tick as the stat that was kept,
 * with its size unchanged, would look the same (git calls these entries racy and checks them again).
 */
export function settled(paths: readonly string[]): boolean {
  const limit = BigInt(Date.now() - SETTLE_MS) * 1_000_000n;
  return paths.every((path) => {
    const s = statSync(path, { bigint: true, throwIfNoEntry: false });
    return !s || (s.ctimeNs < limit && s.mtimeNs < limit);
  });
}

/**
 * What `derive` makes of a file's bytes, kept in the cache by the file's path and stat: a file left as
 * it was is not read again. `kind` names the derivation (its folder in the cache).
 */
export function memoByStat<T>(cacheDir: string, kind: string, path: string, derive: (bytes: Buffer) => T): T {
  const dir = derivedDir(cacheDir, kind);
  const name = `${digest(path).slice(0, 32)}.json`;
  const before = statSignature(path);
  const saved = readDerived(dir, name) as { stat?: string; value?: T } | undefined;
  if (saved?.stat === before && saved.value !== undefined) return saved.value;
  const value = derive(readFileSync(path));
  if (statSignature(path) === before && settled([path]))
    writeDerived(dir, name, JSON.stringify({ stat: before, value }));
  return value;
}
