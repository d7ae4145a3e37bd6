import { availableParallelism } from "node:os";
import { integrateDriver, patchKernel } from "../intree/integrate.js";
import { need, type Stage } from "./state.js";

/** In-tree mode: the kernel patches go into a copy of the kernel sources (or the tree itself, in place). */
export const patchKernelStage: Stage = {
  id: "patch-kernel",
  title: "Patch kernel tree",
  async run(state, opts, progress) {
    const kernel = await patchKernel({
      outDir: need(state, "output").dir,
      finalOutDir: need(state, "outDir"),
      inPlace: opts.inPlace === true,
      target: need(state, "target"),
      tree: need(state, "tree"),
      duplicates: state.report.duplicates,
      onStep: (step) => progress.output(step),
    });
    state.kernel = kernel;
    state.target = kernel.target;
    progress.title(
      `Patch kernel tree: ${kernel.patches.filter((p) => p.state === "applied").length} patches applied to ${kernel.reportedDir}`,
    );
  },
};

/** In-tree mode: the backport tree, transformed for the patched kernel, joins it; the kernel is rebuilt. */
export const integrateDriverStage: Stage = {
  id: "integrate",
  title: "Add the drivers to the kernel tree",
  async run(state, opts, progress) {
    const kernel = need(state, "kernel");
    const result = await integrateDriver({
      outDir: need(state, "output").dir,
      recipeName: need(state, "recipe").data.name,
      kernel,
      inPlace: opts.inPlace === true,
      tree: need(state, "tree"),
      jobs: opts.jobs ?? availableParallelism(),
      onStep: (step) => progress.output(step),
    });
    state.target = result.target;
    state.tree = result.tree;
    state.report.inTree = result.report;
    // A full rebuild gives the patched tree a Module.symvers of its own.
    state.report.target = { ...state.report.target!, symvers: result.target.symvers !== undefined };
    if (
      !result.report.rebuild.image &&
      result.report.patches.some((p) => p.name.startsWith("patches/kernel/"))
    )
      state.report.warnings.push(
        `${kernel.reportedDir} had not been built: only make modules_prepare ran; build its kernel (make -C ${kernel.reportedDir}) to carry the kernel patches`,
      );
    progress.title(`Add the drivers to the kernel tree: built in ${kernel.reportedDir}`);
  },
};
