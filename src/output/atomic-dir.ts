import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** An output directory being written: everything goes to `dir`, which replaces the real one on commit. */
export interface StagedOutput {
  dir: string;
  /** Moves the staged directory into place, replacing the previous output. */
  commit(): Promise<void>;
  /** Drops the staged directory, keeping it as `<out>.failed` for inspection; the previous output stays. */
  abandon(): Promise<void>;
}

export async function stageOutput(outDir: string): Promise<StagedOutput> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const dir = join(parent, `.${basename(outDir)}.tmp-${process.pid}`);
  const failed = `${outDir}.failed`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  return {
    dir,
    async commit() {
      const old = join(parent, `.${basename(outDir)}.old-${process.pid}`);
      if (existsSync(outDir)) await rename(outDir, old);
      await rename(dir, outDir);
      await rm(old, { recursive: true, force: true });
      await rm(failed, { recursive: true, force: true });
    },
    async abandon() {
      await rm(failed, { recursive: true, force: true });
      await rename(dir, failed).catch(() => rm(dir, { recursive: true, force: true }));
    },
  };
}
