import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { toolDigest } from "../version.js";

/**
 * Where results this build of kbackport derived (probes, rewritten files) are kept: `<cacheDir>/<kind>/`
 * and the tool digest, so a changed rule or probe never answers from an older build's results.
 */
export function derivedDir(cacheDir: string, kind: string): string {
  return join(cacheDir, kind, toolDigest().slice(0, 16));
}

/**
 * Writes one derived result, whole or not at all (a rename). The first write of a build removes the
 * results older builds left beside its own. A cache that cannot be written is no error: the result is
 * derived again next time.
 */
export function writeDerived(dir: string, name: string, text: string): void {
  try {
    if (mkdirSync(dir, { recursive: true }) !== undefined) {
      const parent = dirname(dir);
      for (const other of readdirSync(parent)) {
        if (other !== basename(dir)) rmSync(join(parent, other), { recursive: true, force: true });
      }
    }
    const partial = join(dir, `.${name}.${process.pid}`);
    try {
      writeFileSync(partial, text);
      renameSync(partial, join(dir, name));
    } catch {
      // Full: no partial file stays behind.
      rmSync(partial, { force: true });
    }
  } catch {
    // Read-only: nothing is kept.
  }
}

/** A derived result as JSON, or undefined when absent or unreadable. */
export function readDerived(dir: string, name: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown;
  } catch {
    return undefined;
  }
}
