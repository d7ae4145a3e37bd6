import { buildModules } from "../build/build-modules.js";
import { need, type Stage } from "./state.js";

export const buildStage: Stage = {
  id: "build",
  title: "Build modules",
  async run(state, opts, progress) {
    const tree = need(state, "tree");
    const result = await buildModules({
      outDir: need(state, "output").dir,
      tree: tree.dir,
      target: need(state, "target"),
      modules: tree.modules,
      symbols: tree.symbols,
      jobs: opts.jobs,
    });
    state.report.modules = result.modules;
    state.report.make = ["make", ...result.makeArgs];
    state.report.buildWarnings = result.warnings;
    if (result.compilerNote) state.report.warnings.push(result.compilerNote);
    progress.title(`Build modules: ${result.modules.map((m) => m.name).join(", ")}`);
  },
};
