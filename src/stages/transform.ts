import { rm } from "node:fs/promises";
import { stageOutput } from "../output/atomic-dir.js";
import { writeBackportTree, type BackportTree } from "../transform/backport-tree.js";
import { cachedOutcomes } from "../transform/outcome-store.js";
import { PATCHES_DIR } from "../version.js";
import { need, type Stage } from "./state.js";

/** Writes the transformed tree for the target as probed (in-tree: a second pass for the patched kernel). */
export const transformStage: Stage = {
  id: "transform",
  title: "Transform sources",
  async run(state, opts, progress) {
    state.output ??= await stageOutput(need(state, "outDir"), opts.command);
    if (state.tree) await rm(state.tree.dir, { recursive: true, force: true });
    const tree = writeBackportTree({
      outDir: state.output.dir,
      components: need(state, "components"),
      sources: need(state, "sources"),
      target: need(state, "target"),
      features: need(state, "features"),
      patchesDir: PATCHES_DIR,
      outcomes: cachedOutcomes(opts.cacheDir),
    });
    state.tree = tree;
    const report = state.report;
    report.rules = tree.rules;
    report.skipped = tree.skipped;
    report.treeFiles = tree.files;
    // The first pass reported the patches the target needs; a second pass on the patched kernel needs none.
    if (!state.kernel) report.kernelPatches = tree.kernelPatches;
    const previous = new Set(state.treeWarnings ?? []);
    state.treeWarnings = treeWarnings(tree);
    report.warnings = [...report.warnings.filter((w) => !previous.has(w)), ...state.treeWarnings];
    const applied = tree.rules.filter((r) => r.applied).length;
    const stale = tree.rules.filter((r) => r.stale).map((r) => r.id);
    progress.title(
      `Transform sources: ${applied} rules applied${stale.length ? `, stale: ${stale.join(", ")}` : ""}`,
    );
  },
};

function treeWarnings(tree: BackportTree): string[] {
  return [
    ...tree.warnings,
    ...tree.rules
      .filter((r) => r.stale)
      .map((r) => `rule ${r.id} is stale: the target needs it but nothing in the sources matched`),
  ];
}
