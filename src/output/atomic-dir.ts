import { existsSync, lstatSync, mkdtempSync, readdirSync, renameSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KbackportError } from "../errors.js";
import { onInterrupt, removeNow } from "../interrupt/registry.js";
import { isKbackportOutput, markOutput, siblingPrefix } from "./owned-dir.js";

/** An output directory being written: everything goes to `dir`, which replaces the real one on commit. */
export interface StagedOutput {
  dir: string;
  /** Moves the staged directory into place, replacing the previous output. */
  commit(): Promise<void>;
  /** Drops the staged directory, keeping it as `<out>.failed` for inspection; the previous output stays. */
  abandon(): Promise<void>;
}

/**
 * Stages an output in a fresh sibling directory carrying kbackport's marker. Only a directory with the
 * marker (or an empty one) is ever replaced or removed: `checkOutputDir` refuses the rest up front, and
 * commit and abandon check again, since the user may have put something there meanwhile. An interrupt
 * removes the staged directory (an interrupted run is not a failure to inspect) and keeps the previous
 * output; the steps it may come between are synchronous where a half-done step would lose either.
 */
export async function stageOutput(outDir: string, kind: string): Promise<StagedOutput> {
  await mkdir(dirname(outDir), { recursive: true });
  const dir = mkdtempSync(`${siblingPrefix(outDir, "tmp")}${process.pid}-`);
  const release = onInterrupt(() => {
    removeNow(dir);
    return existsSync(outDir) ? `previous output ${outDir} kept` : `nothing written to ${outDir}`;
  });
  await markOutput(dir, kind);
  const failed = `${outDir}.failed`;
  return {
    dir,
    async commit() {
      const previous = ownership(outDir);
      if (previous === "foreign") {
        await rm(dir, { recursive: true, force: true });
        release();
        throw new KbackportError(
          `${outDir} appeared during the run and was not written by kbackport: left as it is`,
          {
            hint: "move it away and run again",
          },
        );
      }
      // One synchronous swap: an interrupt finds the previous output or the new one in place, never neither;
      // a kill between the renames leaves the previous one in .old-<pid>-*, which the next run puts back.
      pauseAt("staged");
      const old =
        previous === "ours" ? mkdtempSync(`${siblingPrefix(outDir, "old")}${process.pid}-`) : undefined;
      if (old) renameSync(outDir, join(old, "previous"));
      pauseAt("aside");
      try {
        renameSync(dir, outDir);
      } catch (err) {
        // The new output could not take its place: the previous one goes back to it.
        if (old) renameSync(join(old, "previous"), outDir);
        throw err;
      }
      release();
      pauseAt("swapped");
      if (old) {
        const releaseOld = onInterrupt(() => {
          removeNow(old);
          return `${outDir} written`;
        });
        await rm(old, { recursive: true, force: true });
        releaseOld();
      }
      if (ownership(failed) === "ours") await rm(failed, { recursive: true, force: true });
    },
    async abandon() {
      const state = ownership(failed);
      if (state === "ours") await rm(failed, { recursive: true, force: true });
      if (state !== "foreign") await rename(dir, failed).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      release();
    },
  };
}

/** Whether a path may be replaced: absent, a kbackport output or an empty directory ("ours"), or not. */
function ownership(path: string): "absent" | "ours" | "foreign" {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return "absent";
  if (isKbackportOutput(path) || (st.isDirectory() && readdirSync(path).length === 0)) return "ours";
  return "foreign";
}

/**
 * A test hook for crash consistency: KBACKPORT_PAUSE_AT=staged|aside|swapped stops the swap at that step
 * (saying so on stderr) until the process is killed or a minute has passed.
 */
function pauseAt(step: "staged" | "aside" | "swapped"): void {
  if (process.env.KBACKPORT_PAUSE_AT !== step) return;
  process.stderr.write(`kbackport: paused at ${step}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
