import { lstatSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isAlive } from "../interrupt/processes.js";
import { isKbackportOutput, siblingPrefix } from "./owned-dir.js";

/** Whether the process that named a staging or swap directory still runs (its pid is in the name). */
function alive(name: string, prefix: string): boolean {
  const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid);
}

/** A directory kbackport made and may remove: marked as an output, or still empty (killed before marking). */
function ours(dir: string): boolean {
  return isKbackportOutput(dir) || (lstatSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/**
 * Puts right what a killed run left beside an output: its staging directory (`.<out>.tmp-<pid>-*`) is
 * removed, and its swap directory (`.<out>.old-<pid>-*`) gives the previous output back when the kill
 * came between the swap's two renames, or is removed when the new output made it. Directories of a run
 * that still goes on are left alone. Returns one line per thing done, for the report.
 */
export function recoverOutput(outDir: string): string[] {
  const parent = dirname(outDir);
  const said: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return said;
  }
  const oldPrefix = basename(siblingPrefix(outDir, "old"));
  const tmpPrefix = basename(siblingPrefix(outDir, "tmp"));
  for (const name of names.sort()) {
    const path = join(parent, name);
    if (name.startsWith(oldPrefix) && !alive(name, oldPrefix)) {
      const previous = join(path, "previous");
      const kept = isKbackportOutput(previous);
      if (kept && lstatSync(outDir, { throwIfNoEntry: false }) === undefined) {
        renameSync(previous, outDir);
        said.push(`a run killed while replacing ${outDir} had moved the previous output aside: put back`);
      } else if (kept) {
        said.push(`removed ${path}, the previous output a killed run had replaced`);
      }
      if (kept || ours(path)) rmSync(path, { recursive: true, force: true });
    } else if (name.startsWith(tmpPrefix) && !alive(name, tmpPrefix) && ours(path)) {
      rmSync(path, { recursive: true, force: true });
      said.push(`removed ${path}, the half-written output of a killed run`);
    }
  }
  return said;
}
