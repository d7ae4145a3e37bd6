import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Duplicate } from "../kernel/duplicates.js";
import { listFiles } from "../list-files.js";
import { probeFeatures, type Features } from "../kernel/features.js";
import { readKernelTarget, type KernelTarget } from "../kernel/target.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { SourceTree } from "../source/sparse-fetch.js";
import { writeBackportTree, type BackportTree } from "../transform/backport-tree.js";
import { PATCHES_DIR } from "../version.js";
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

/**
 * In-tree mode: applies the run's kernel patches and a patch adding the backport tree (under
 * `kbackport/<recipe>`) to a copy of the target's sources, rebuilds the kernel, and transforms again for
 * the patched kernel, whose probes now find what the patches added.
 */
export async function integrate(opts: {
  outDir: string;
  /** Where the output directory ends up, for the paths the report gives. */
  finalOutDir: string;
  inPlace: boolean;
  recipeName: string;
  components: readonly SelectedComponent[];
  sources: ReadonlyMap<string, SourceTree>;
  target: KernelTarget;
  tree: BackportTree;
  duplicates: Duplicate[];
  assumeMissing: readonly string[];
  jobs: number;
  onStep: (step: string) => void;
}): Promise<{
  target: KernelTarget;
  features: Features;
  tree: BackportTree;
  reportedDir: string;
  report: InTreeReport;
}> {
  const kernel = opts.inPlace ? opts.target.dir : join(opts.outDir, "kernel");
  const reportedDir = opts.inPlace ? opts.target.dir : join(opts.finalOutDir, "kernel");
  const toReported = (path: string) => join(reportedDir, relative(kernel, path));
  if (!opts.inPlace) {
    opts.onStep(`copying ${opts.target.dir}`);
    await copyKernelTree(opts.target.dir, kernel);
  }

  const disabled: string[] = [];
  const replaced = opts.duplicates.filter((d) => d.choice === "in-tree");
  if (replaced.length > 0) {
    opts.onStep("turning off the kernel's own copies");
    const own = replaced.flatMap((d) => d.inKernel.map((s) => s.replace(/=.*/, "")));
    const consequences = await disableInKernel(kernel, opts.target, own);
    // One olddefconfig settles them all: Kconfig does not say which duplicate turned off which user.
    for (const d of replaced) d.brokenConsumers = consequences;
    disabled.push(...replaced.flatMap((d) => d.inKernel), ...consequences);
  }

  opts.onStep("applying kernel patches");
  const core = opts.tree.kernelPatches.flatMap((p) =>
    p.file ? [{ file: join(opts.outDir, p.file), name: p.file }] : [],
  );
  const patches = await applyPatches(kernel, core);

  const patched = readKernelTarget(kernel, {
    arch: opts.target.arch,
    crossCompile: opts.target.crossCompile,
  });
  const features = probeFeatures(patched, opts.assumeMissing);
  await rm(opts.tree.dir, { recursive: true, force: true });
  const tree = await writeBackportTree({
    outDir: opts.outDir,
    components: opts.components,
    sources: opts.sources,
    target: patched,
    features,
    patchesDir: PATCHES_DIR,
  });

  const backportDir = join("kbackport", opts.recipeName);
  const patchName = join("patches", "in-tree", `0001-kbackport-${opts.recipeName}.patch`);
  await mkdir(join(opts.outDir, "patches", "in-tree"), { recursive: true });
  await writeFile(join(opts.outDir, patchName), driverPatch(await readFiles(tree.dir), backportDir));
  patches.push(...(await applyPatches(kernel, [{ file: join(opts.outDir, patchName), name: patchName }])));

  opts.onStep("rebuilding the patched kernel");
  const rebuild = await rebuildKernel(kernel, patched, opts.jobs, join(opts.outDir, "kernel-build.log"));
  const built = readKernelTarget(kernel, { arch: opts.target.arch, crossCompile: opts.target.crossCompile });
  return {
    target: built,
    features,
    tree: { ...tree, dir: join(kernel, backportDir) },
    reportedDir,
    report: {
      kernelDir: reportedDir,
      inPlace: opts.inPlace,
      patches,
      driverPatch: patchName,
      backportDir,
      disabled,
      rebuild: {
        command: rebuild.command.map((a) => (a === kernel ? reportedDir : a)),
        image: rebuild.image && toReported(join(kernel, rebuild.image)),
      },
    },
  };
}

/** Every file of a directory tree by its relative path. */
async function readFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of await listFiles(dir)) files.set(file, await readFile(join(dir, file), "utf8"));
  return files;
}
