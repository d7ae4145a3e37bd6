import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Duplicate } from "../kernel/duplicates.js";
import { readKernelTarget, type KernelTarget } from "../kernel/target.js";
import { listFiles } from "../list-files.js";
import type { BackportTree } from "../transform/backport-tree.js";
import { applyPatches, type AppliedPatch } from "./apply-patches.js";
import { driverPatch } from "./driver-patch.js";
import { copyKernelTree, disableInKernel, rebuildKernel } from "./kernel-tree.js";

export interface InTreeReport {
  /** The kernel tree that was patched and built: `<out>/kernel`, or the --kernel tree with --in-place. */
  kernelDir: string;
  inPlace: boolean;
  /** Kernel-core patches, then the driver patch, in the order they were applied. */
  patches: AppliedPatch[];
  /** The patch that adds the backport tree to the kernel, in the output directory. */
  driverPatch: string;
  /** Where the backport tree is inside the kernel tree. */
  backportDir: string;
  /** Kernel modules Kconfig turned off (--duplicates in-tree): the kernel's own copies and what needed them. */
  disabled: string[];
  rebuild: { command: string[]; image?: string };
}

export interface PatchedKernel {
  /** The tree being patched: `<staged out>/kernel`, or the --kernel tree itself in place. */
  dir: string;
  /** Where the report says it is: `<out>/kernel` once the output is in place. */
  reportedDir: string;
  patches: AppliedPatch[];
  disabled: string[];
  /** The patched tree as a target, to probe and transform for again. */
  target: KernelTarget;
}

/**
 * In-tree mode, first half: copies the target's sources (unless in place), turns the kernel's own copies of
 * replaced components off, and applies the run's kernel patches. The caller then probes and transforms for
 * the patched tree, whose probes find what the patches added.
 */
export async function patchKernel(opts: {
  outDir: string;
  finalOutDir: string;
  inPlace: boolean;
  target: KernelTarget;
  tree: BackportTree;
  duplicates: Duplicate[];
  onStep: (step: string) => void;
}): Promise<PatchedKernel> {
  const dir = opts.inPlace ? opts.target.dir : join(opts.outDir, "kernel");
  const reportedDir = opts.inPlace ? opts.target.dir : join(opts.finalOutDir, "kernel");
  if (!opts.inPlace) {
    opts.onStep(`copying ${opts.target.dir}`);
    await copyKernelTree(opts.target.dir, dir);
  }
  const disabled: string[] = [];
  const replaced = opts.duplicates.filter((d) => d.choice === "in-tree");
  if (replaced.length > 0) {
    opts.onStep("turning off the kernel's own copies");
    const own = replaced.flatMap((d) => d.inKernel.map((s) => s.replace(/=.*/, "")));
    const consequences = await disableInKernel(dir, opts.target, own);
    // One olddefconfig settles them all: Kconfig does not say which duplicate turned off which user.
    for (const d of replaced) d.brokenConsumers = consequences;
    disabled.push(...replaced.flatMap((d) => d.inKernel), ...consequences);
  }
  opts.onStep("applying kernel patches");
  const core = opts.tree.kernelPatches.flatMap((p) =>
    p.file ? [{ file: join(opts.outDir, p.file), name: p.file }] : [],
  );
  const patches = await applyPatches(dir, core);
  const target = readKernelTarget(dir, { arch: opts.target.arch, crossCompile: opts.target.crossCompile });
  return { dir, reportedDir, patches, disabled, target };
}

/**
 * In-tree mode, second half: adds the backport tree (transformed for the patched kernel) to the kernel with
 * a generated patch under `kbackport/<recipe>`, rebuilds the kernel, and returns it with the tree in place.
 */
export async function integrateDriver(opts: {
  outDir: string;
  recipeName: string;
  kernel: PatchedKernel;
  inPlace: boolean;
  tree: BackportTree;
  jobs: number;
  onStep: (step: string) => void;
}): Promise<{ target: KernelTarget; tree: BackportTree; report: InTreeReport }> {
  const { kernel } = opts;
  const backportDir = join("kbackport", opts.recipeName);
  const patchName = join("patches", "in-tree", `0001-kbackport-${opts.recipeName}.patch`);
  await mkdir(join(opts.outDir, "patches", "in-tree"), { recursive: true });
  await writeFile(join(opts.outDir, patchName), driverPatch(await readFiles(opts.tree.dir), backportDir));
  const patches = [
    ...kernel.patches,
    ...(await applyPatches(kernel.dir, [{ file: join(opts.outDir, patchName), name: patchName }])),
  ];

  opts.onStep("rebuilding the patched kernel");
  const rebuild = await rebuildKernel(
    kernel.dir,
    kernel.target,
    opts.jobs,
    join(opts.outDir, "kernel-build.log"),
  );
  const target = readKernelTarget(kernel.dir, {
    arch: kernel.target.arch,
    crossCompile: kernel.target.crossCompile,
  });
  const toReported = (path: string) => join(kernel.reportedDir, relative(kernel.dir, path));
  return {
    target,
    tree: { ...opts.tree, dir: join(kernel.dir, backportDir) },
    report: {
      kernelDir: kernel.reportedDir,
      inPlace: opts.inPlace,
      patches,
      driverPatch: patchName,
      backportDir,
      disabled: kernel.disabled,
      rebuild: {
        command: rebuild.command.map((a) => (a === kernel.dir ? kernel.reportedDir : a)),
        image: rebuild.image && toReported(join(kernel.dir, rebuild.image)),
      },
    },
  };
}

/** Every file of a directory tree by its relative path. */
async function readFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of listFiles(dir)) files.set(file, await readFile(join(dir, file), "utf8"));
  return files;
}
