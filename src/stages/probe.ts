import { probeFeatures, type Features } from "../kernel/features.js";
import type { KernelTarget } from "../kernel/target.js";
import type { RunReport } from "../report.js";
import { need, type Stage } from "./state.js";

/** Probes the target (in-tree: again, once the kernel patches are in). */
export const probeStage: Stage = {
  id: "probe",
  title: "Probe target features",
  async run(state, opts) {
    const target = need(state, "target");
    state.features = await probeFeatures(target, opts.assumeMissing, opts.cacheDir);
    state.report.target = {
      ...targetReport(target, state.features),
      ...(state.kernel && { dir: state.kernel.reportedDir, sourceDir: state.kernel.reportedDir }),
    };
  },
};

export function targetReport(target: KernelTarget, features: Features): NonNullable<RunReport["target"]> {
  return {
    dir: target.dir,
    sourceDir: target.sourceDir,
    kind: target.kind,
    release: target.release,
    version: target.version,
    arch: target.arch,
    crossCompile: target.crossCompile,
    compiler: target.compiler,
    symvers: target.symvers !== undefined,
    features: [...features.values()],
  };
}
