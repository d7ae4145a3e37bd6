import { lstatSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KbackportError } from "../errors.js";
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
 * commit and abandon check again, since the user may have put something there meanwhile.
 */
export async function stageOutput(outDir: string, kind: string): Promise<StagedOutput> {
  await mkdir(dirname(outDir), { recursive: true });
  const dir = await mkdtemp(siblingPrefix(outDir, "tmp"));
  await markOutput(dir, kind);
  const failed = `${outDir}.failed`;
  return {
    dir,
    async commit() {
      const previous = ownership(outDir);
      if (previous === "foreign") {
        await rm(dir, { recursive: true, force: true });
        throw new KbackportError(
          `${outDir} appeared during the run and was not written by kbackport: left as it is`,
          {
            hint: "move it away and run again",
          },
        );
      }
      const old = previous === "ours" ? await mkdtemp(siblingPrefix(outDir, "old")) : undefined;
      if (old) await rename(outDir, join(old, "previous"));
      await rename(dir, outDir);
      if (old) await rm(old, { recursive: true, force: true });
      if (ownership(failed) === "ours") await rm(failed, { recursive: true, force: true });
    },
    async abandon() {
      const state = ownership(failed);
      if (state === "ours") await rm(failed, { recursive: true, force: true });
      if (state !== "foreign") await rename(dir, failed).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
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
