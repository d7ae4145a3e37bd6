import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  BACKPORT_HEADER,
  COMPAT_INCLUDE,
  KCONFIG_HEADER,
  kbuildFiles,
  kconfigHeader,
  kconfigSymbols,
  type KconfigValue,
} from "../build/kbuild.js";
import { modulesForTarget, type SkippedModule } from "../build/select-modules.js";
import { KERNEL_APIS } from "../kernel/api.js";
import type { Features } from "../kernel/features.js";
import type { KernelTarget } from "../kernel/target.js";
import { listFiles } from "../list-files.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { ModuleSpec } from "../recipe/schema.js";
import { copySourcePath } from "../source/copy-data.js";
import type { SourceTree } from "../source/sparse-fetch.js";
import { transform, type OutcomeStore, type RuleReport } from "./engine.js";
import { kernelPatch } from "./kernel-patch.js";
import { RULES } from "./rules/index.js";

export interface KernelPatchReport {
  rule: string;
  series: string;
  /** Path in the output directory, when kbackport has the patch for the target's series. */
  file?: string;
}

export interface BackportTree {
  /** The tree `make M=` builds. */
  dir: string;
  modules: (ModuleSpec & { component: string })[];
  /** Modules whose Kconfig dependencies the target does not meet. */
  skipped: SkippedModule[];
  symbols: Map<string, KconfigValue>;
  rules: RuleReport[];
  kernelPatches: KernelPatchReport[];
  warnings: string[];
  /** Every file of the tree as written, before a build adds its objects: what a package of the sources holds. */
  files: string[];
}

/**
 * Copies the components' upstream files into `<outDir>/tree`, applies the rules the target needs,
 * writes the compat wrappers and Kbuild files, and the kernel patches, headed by the upstream commit each
 * mirrors, into `<outDir>/patches/kernel`.
 */
export function writeBackportTree(opts: {
  outDir: string;
  components: readonly SelectedComponent[];
  sources: ReadonlyMap<string, SourceTree>;
  target: KernelTarget;
  features: Features;
  patchesDir: string;
  outcomes?: OutcomeStore;
}): BackportTree {
  const tree = join(opts.outDir, "tree");
  const files = new Map<string, string>();
  const componentFiles: { name: string; files: string[]; rules: string[] }[] = [];
  for (const comp of opts.components) {
    const source = opts.sources.get(comp.source)!;
    for (const path of source.paths) {
      copySourcePath(source, path, tree);
    }
    const own: string[] = [];
    for (const path of comp.paths) own.push(...listFiles(tree, path));
    for (const file of own) files.set(file, readFileSync(join(tree, file), "utf8"));
    componentFiles.push({ name: comp.name, files: own, rules: comp.rules });
  }

  const result = transform({
    files,
    components: componentFiles,
    features: opts.features,
    rules: RULES,
    outcomes: opts.outcomes,
  });
  for (const [file, text] of result.changed) writeFileSync(join(tree, file), text);
  const generated = new Map<string, string>();
  for (const [header, text] of result.compatHeaders) generated.set(`${COMPAT_INCLUDE}/${header}`, text);
  generated.set(`${COMPAT_INCLUDE}/kbackport/backport.h`, BACKPORT_HEADER);

  const settings = Object.assign({}, ...opts.components.map((c) => c.settings)) as Record<
    string,
    KconfigValue
  >;
  const wanted = opts.components.flatMap((c) => c.modules.map((m) => ({ ...m, component: c.name })));
  const kconfigs = new Map<string, string>();
  for (const dir of new Set(wanted.map((m) => m.dir))) {
    const path = join(tree, dir, "Kconfig");
    if (existsSync(path)) kconfigs.set(`${dir}/Kconfig`, readFileSync(path, "utf8"));
  }
  const { build: modules, skipped } = modulesForTarget(wanted, kconfigs, opts.target.config, settings);
  const notBuilt = Object.fromEntries(skipped.map((s) => [s.config, "n" as const]));
  const symbols = kconfigSymbols(modules, { ...settings, ...notBuilt });
  generated.set(KCONFIG_HEADER, kconfigHeader(symbols));
  const makefiles = new Map<string, string>();
  for (const dir of new Set(modules.map((m) => m.dir))) {
    const path = join(tree, dir, "Makefile");
    if (existsSync(path)) makefiles.set(`${dir}/Makefile`, readFileSync(path, "utf8"));
  }
  for (const [file, text] of kbuildFiles(modules, makefiles, new Set(files.keys())))
    generated.set(file, text);
  for (const [file, text] of generated) {
    mkdirSync(dirname(join(tree, file)), { recursive: true });
    writeFileSync(join(tree, file), text);
  }

  const { kernelPatches, warnings } = emitKernelPatches(
    result.rules,
    opts.target,
    opts.patchesDir,
    opts.outDir,
  );
  for (const m of skipped)
    warnings.push(`module ${m.name} is not built: the target does not meet ${m.where}: ${m.reason}`);
  return {
    dir: tree,
    modules,
    skipped,
    symbols,
    rules: result.rules,
    kernelPatches,
    warnings,
    files: listFiles(tree),
  };
}

/** The kernel patches of the needed kernel-patch rules, for the target's series (5.10, 5.4, ...). */
function emitKernelPatches(
  rules: readonly RuleReport[],
  target: KernelTarget,
  patchesDir: string,
  outDir: string,
) {
  const series = target.version.split(".").slice(0, 2).join(".");
  const kernelPatches: KernelPatchReport[] = [];
  const warnings: string[] = [];
  for (const rule of rules.filter((r) => r.kind === "kernel-patch" && r.needed && r.patch)) {
    const source = join(patchesDir, series, rule.patch!);
    if (!existsSync(source)) {
      kernelPatches.push({ rule: rule.id, series });
      warnings.push(
        `rule ${rule.id}: kbackport has no kernel patch for the ${series} series; ${rule.degraded}`,
      );
      continue;
    }
    const file = join("patches", "kernel", rule.patch!);
    mkdirSync(join(outDir, "patches", "kernel"), { recursive: true });
    const api = KERNEL_APIS.find((a) => a.id === rule.feature)!;
    writeFileSync(join(outDir, file), kernelPatch(api, readFileSync(source, "utf8"), source));
    kernelPatches.push({ rule: rule.id, series, file });
    warnings.push(`rule ${rule.id}: apply ${file} to the target kernel; until then ${rule.degraded}`);
  }
  // Patch files are numbered in the order they apply.
  kernelPatches.sort((a, b) => {
    const [x, y] = [a.file ?? "", b.file ?? ""];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { kernelPatches, warnings };
}
