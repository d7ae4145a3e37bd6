import { buildError, buildModules, type BuildResult } from "../build/build-modules.js";
import { componentRules, explainDiagnostics } from "../build/explain.js";
import type { SelectedComponent } from "../recipe/select.js";
import { need, type Stage } from "./state.js";

export const buildStage: Stage = {
  id: "build",
  title: "Build modules",
  async run(state, opts, progress) {
    const tree = need(state, "tree");
    const target = need(state, "target");
    const result = await buildModules({
      outDir: need(state, "output").dir,
      tree: tree.dir,
      target,
      modules: tree.modules,
      symbols: tree.symbols,
      jobs: opts.jobs,
    });
    state.report.make = ["make", ...result.makeArgs];
    state.report.makeSeconds = result.makeSeconds;
    state.report.buildWarnings = result.warnings;
    if (result.compilerNote) state.report.warnings.push(result.compilerNote);
    if (!result.ok) throw buildError(result, target.release, ruleHint(result, state.components ?? []));
    state.report.modules = result.modules;
    if (!target.symvers) state.report.warnings.push(NO_SYMVERS);
    progress.title(`Build modules: ${result.modules.map((m) => m.name).join(", ")}`);
  },
};

/** A build that succeeds without the kernel's Module.symvers is weaker than it looks: said, not hidden. */
export const NO_SYMVERS =
  "the target kernel has no Module.symvers: modpost could not check the modules' kernel symbols, and they carry no symbol versions (CONFIG_MODVERSIONS), so a kernel that checks versions refuses to load them ('no symbol version for ...'); build the kernel (make modules) or use its linux-headers package, which ships the file";

/** What the failed build's errors need: the rule for each missing API the component does not list. */
function ruleHint(
  result: Extract<BuildResult, { ok: false }>,
  components: readonly SelectedComponent[],
): string | undefined {
  const apis = [...new Set(result.errors.flatMap((d) => (d.api ? [d.api] : [])))];
  if (apis.length === 0) return undefined;
  const fixes = [
    ...new Set(
      explainDiagnostics(result.errors, componentRules(components))
        .filter((x) => x.rule && !x.line.includes(" is listed for "))
        .map((x) => `list rule ${x.rule} for component ${x.component ?? "?"}`),
    ),
  ];
  return `the target lacks ${apis.join(", ")}: ${fixes.length > 0 ? fixes.join("; ") : "add the rules that backport them to the component's rules"}`;
}
