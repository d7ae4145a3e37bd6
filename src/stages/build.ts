import { BuildError, buildModules } from "../build/build-modules.js";
import { componentRules, explainDiagnostics } from "../build/explain.js";
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
    }).catch((err: unknown) => {
      throw err instanceof BuildError ? withRuleHint(err, state.components ?? []) : err;
    });
    state.report.modules = result.modules;
    state.report.make = ["make", ...result.makeArgs];
    state.report.buildWarnings = result.warnings;
    if (result.compilerNote) state.report.warnings.push(result.compilerNote);
    progress.title(`Build modules: ${result.modules.map((m) => m.name).join(", ")}`);
  },
};

/** The build's hint, with the rule each missing API needs where the component does not list it. */
function withRuleHint(err: BuildError, components: Parameters<typeof componentRules>[0]): BuildError {
  const fixes = [
    ...new Set(
      explainDiagnostics(err.diagnostics, componentRules(components))
        .filter((x) => x.rule && !x.line.includes(" is listed for "))
        .map((x) => `list rule ${x.rule} for component ${x.component ?? "?"}`),
    ),
  ];
  if (fixes.length === 0) return err;
  const apis = [...new Set(err.diagnostics.flatMap((d) => (d.api ? [d.api] : [])))];
  return new BuildError(
    err.message,
    err.diagnostics,
    `the target lacks ${apis.join(", ")}: ${fixes.join("; ")}`,
  );
}
