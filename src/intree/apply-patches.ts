import { existsSync, mkdtempSync } from "node:fs";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { hasTool, installHint } from "../build/toolchain.js";
import { KbackportError } from "../errors.js";
import { patchedPaths } from "./driver-patch.js";
import { removeOnInterrupt } from "../interrupt/registry.js";

export interface PatchToApply {
  /** Absolute path of the patch file. */
  file: string;
  /** How the report names it: its path in the output directory. */
  name: string;
}

export interface AppliedPatch {
  name: string;
  state: "applied" | "already applied";
}

/**
 * Applies patches in order to a kernel tree, all or none: the series is first tried on scratch copies of
 * the files it touches, so a patch that does not apply leaves the tree as it was. A leading part of the
 * series whose reverse applies is already in the tree and is left alone (a second in-place run). No fuzz:
 * a hunk whose context moved is a patch for another tree, not one to place by guesswork.
 */
export async function applyPatches(
  kernelDir: string,
  patches: readonly PatchToApply[],
): Promise<AppliedPatch[]> {
  if (!hasTool("patch")) throw new KbackportError("patch not found", { hint: installHint("patch") });
  const paths = [
    ...new Set((await Promise.all(patches.map((p) => readFile(p.file, "utf8")))).flatMap(patchedPaths)),
  ];
  const present = await appliedPrefix(kernelDir, paths, patches);
  const missing = patches.slice(present);
  await withScratch(kernelDir, paths, async (scratch) => {
    for (const patch of missing) {
      const trial = await runPatch(scratch, patch.file, ["-N"]);
      if (trial.exitCode !== 0) {
        throw new KbackportError(
          `${patch.name} does not apply to ${kernelDir}:\n${indent(trial.all ?? "")}`,
          {
            where: patch.name,
            hint: "the kernel tree was left unchanged; the patch is for another version or vendor of this series, or the tree already carries a different version of it",
          },
        );
      }
    }
  });
  for (const patch of missing) {
    const run = await runPatch(kernelDir, patch.file, ["-N"]);
    if (run.exitCode !== 0) {
      throw new KbackportError(`${patch.name} failed on ${kernelDir} after applying to a copy of its files`, {
        where: patch.name,
        hint: indent(run.all ?? ""),
      });
    }
  }
  return patches.map((p, i) => ({ name: p.name, state: i < present ? "already applied" : "applied" }));
}

/** How many patches, from the first, the tree already carries: the longest prefix that reverses cleanly. */
async function appliedPrefix(kernelDir: string, paths: readonly string[], patches: readonly PatchToApply[]) {
  for (let n = patches.length; n > 0; n--) {
    const reverses = await withScratch(kernelDir, paths, async (scratch) => {
      for (const patch of patches.slice(0, n).reverse()) {
        if ((await runPatch(scratch, patch.file, ["-R"])).exitCode !== 0) return false;
      }
      return true;
    });
    if (reverses) return n;
  }
  return 0;
}

/** Runs `work` on a scratch directory holding copies of the tree's files at `paths`. */
async function withScratch<T>(
  kernelDir: string,
  paths: readonly string[],
  work: (dir: string) => Promise<T>,
) {
  const scratch = mkdtempSync(join(tmpdir(), "kbackport-patch-"));
  const forget = removeOnInterrupt(scratch);
  try {
    for (const path of paths) {
      if (!existsSync(join(kernelDir, path))) continue;
      await mkdir(dirname(join(scratch, path)), { recursive: true });
      await copyFile(join(kernelDir, path), join(scratch, path));
    }
    return await work(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    forget();
  }
}

/** patch(1) on one file; execa is loaded here, by the in-tree stages only. */
async function runPatch(dir: string, file: string, flags: string[]) {
  const { execa } = await import("execa");
  return execa(
    "patch",
    [
      "-d",
      dir,
      "-p1",
      "--batch",
      "--force",
      "--no-backup-if-mismatch",
      "--fuzz=0",
      "-r",
      "-",
      ...flags,
      "-i",
      file,
    ],
    {
      all: true,
      reject: false,
      env: { LC_ALL: "C" },
    },
  );
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
