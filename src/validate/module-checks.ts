import { modalias } from "../model/aliases.js";
import type { ModuleModel } from "../model/types.js";
import { ok, skipped, violation, type Check } from "./check.js";
import type { ModuleInfo } from "./module-info.js";

/** What the checks of one module compare it with, besides the model. */
export interface ModuleContext {
  /** The target's vermagic: release and flags, and the arch part where it is known. */
  vermagic?: { flags: string; arch?: string };
  /** Whether a Kconfig symbol is on for this build (the run's choices over the target's .config). */
  enabled: (symbol: string) => boolean;
  /** The target's exported symbols, when it has a Module.symvers. */
  kernelSymbols?: ReadonlySet<string>;
  /** Symbols the run's other modules export. */
  siblingExports: ReadonlySet<string>;
  /** The target kernel's own modules, by name, when its tree is at hand. */
  kernelModules?: ReadonlySet<string>;
  /** Modules the run chose to replace in the target (--duplicates replace or in-tree). */
  replaces: ReadonlySet<string>;
  /** Every module of the model, by name: `depends` may name only those the model says. */
  modelModules: ReadonlySet<string>;
  /**
   * The target strips module info (OpenWrt's CONFIG_MODULE_STRIPPED): no aliases and no vermagic in the
   * modules; what the run's OpenWrt packages autoload (module → names in its etc/modules.d), if it has them.
   */
  stripped?: { autoload?: ReadonlyMap<string, string[]> };
}

const STRIPPED = "CONFIG_MODULE_STRIPPED=y (OpenWrt's 204-module_strip)";

/** Licenses the kernel treats as GPL-compatible (include/linux/license.h). */
const GPL_COMPATIBLE = [
  "GPL",
  "GPL v2",
  "GPL and additional rights",
  "Dual BSD/GPL",
  "Dual MIT/GPL",
  "Dual MPL/GPL",
];

export function checkModule(
  name: string,
  info: ModuleInfo,
  model: ModuleModel | undefined,
  ctx: ModuleContext,
): Check[] {
  return [
    vermagic(name, info, ctx),
    ...(model
      ? [aliases(name, info, model, ctx), exports(name, info, model, ctx), depends(name, info, model, ctx)]
      : []),
    license(name, info, model),
    symbols(name, info, ctx),
    shadowing(name, ctx),
  ];
}

function vermagic(name: string, info: ModuleInfo, ctx: ModuleContext): Check {
  if (ctx.stripped)
    return skipped(
      "vermagic",
      name,
      `${STRIPPED}: modules carry no vermagic and the kernel checks none; the packages' kernel (=...) dependency guards the kernel`,
    );
  if (!ctx.vermagic) return skipped("vermagic", name, "the target kernel tree is not available");
  const { flags, arch } = ctx.vermagic;
  const expected = arch === undefined ? `${flags} ...` : [flags, arch].filter(Boolean).join(" ");
  const actual = info.vermagic.trim();
  const matches =
    arch === undefined ? actual === flags || actual.startsWith(`${flags} `) : actual === expected;
  return matches
    ? ok("vermagic", name, actual)
    : violation(
        "vermagic",
        name,
        `"${actual}", the target's is "${expected}": the kernel will refuse to load it`,
      );
}

function aliases(name: string, info: ModuleInfo, model: ModuleModel, ctx: ModuleContext): Check {
  if (ctx.stripped && model.deviceIds.length > 0) {
    const why = `${STRIPPED}: modpost writes no device-table aliases, so a module that binds to devices must be autoloaded`;
    const autoload = ctx.stripped.autoload;
    if (!autoload)
      return skipped("aliases", name, `${why}; the run has no OpenWrt packages whose autoload to check`);
    const files = autoload.get(name);
    if (files?.includes(name)) return ok("aliases", name, `${why}: its package's etc/modules.d loads it`);
    return violation(
      "aliases",
      name,
      `${why}, and ${files ? "its package's etc/modules.d does not name it" : "no OpenWrt package holds it"}: its ${model.deviceIds.length} devices will not find a driver`,
    );
  }
  const expected = model.deviceIds.map(modalias);
  const missing = expected.filter((a) => !info.aliases.includes(a));
  if (missing.length > 0)
    return violation(
      "aliases",
      name,
      `${missing.length} of ${expected.length} aliases missing (no autoload for those devices): ${missing.join(", ")}`,
    );
  return ok(
    "aliases",
    name,
    expected.length ? `${expected.length} aliases of the model present` : "no device ids in the model",
  );
}

function exports(name: string, info: ModuleInfo, model: ModuleModel, ctx: ModuleContext): Check {
  const conditional = Object.entries(model.exportsIf).flatMap(([condition, names]) => {
    const on = condition.startsWith("!") ? !ctx.enabled(condition.slice(1)) : ctx.enabled(condition);
    return on ? names : [];
  });
  const expected = [...model.exports, ...conditional];
  const missing = expected.filter((e) => !info.exports.includes(e));
  if (missing.length > 0)
    return violation(
      "exports",
      name,
      `does not export ${missing.join(", ")}: modules calling them will not load`,
    );
  return ok(
    "exports",
    name,
    expected.length ? `${expected.length} exports of the model present` : "exports nothing in the model",
  );
}

function depends(name: string, info: ModuleInfo, model: ModuleModel, ctx: ModuleContext): Check {
  const missing = model.requires.filter((r) => !info.depends.includes(r));
  const unexpected = info.depends.filter((d) => ctx.modelModules.has(d) && !model.requires.includes(d));
  const problems = [
    ...(missing.length ? [`missing ${missing.join(", ")}`] : []),
    ...(unexpected.length ? [`unexpected ${unexpected.join(", ")}`] : []),
  ];
  if (problems.length > 0)
    return violation(
      "depends",
      name,
      `depends=${info.depends.join(",")}: ${problems.join("; ")} (model: ${model.requires.join(", ") || "none"})`,
    );
  return ok("depends", name, `depends=${info.depends.join(",")}`);
}

function license(name: string, info: ModuleInfo, model: ModuleModel | undefined): Check {
  if (!GPL_COMPATIBLE.includes(info.license))
    return violation(
      "license",
      name,
      `"${info.license}" is not GPL-compatible: the kernel taints and refuses it GPL-only symbols`,
    );
  if (model && info.license !== model.license)
    return violation("license", name, `"${info.license}", upstream's is "${model.license}"`);
  return ok("license", name, info.license);
}

function symbols(name: string, info: ModuleInfo, ctx: ModuleContext): Check {
  if (!ctx.kernelSymbols)
    return skipped(
      "symbols",
      name,
      "NOT CHECKED: the target has no Module.symvers, so nothing says its kernel exports what the module needs, and the module carries no symbol versions",
    );
  const unresolved = info.undefined.filter((s) => !ctx.kernelSymbols!.has(s) && !ctx.siblingExports.has(s));
  if (unresolved.length > 0)
    return violation(
      "symbols",
      name,
      `neither the target nor the run's modules provide ${unresolved.join(", ")}: the module will not load`,
    );
  return ok("symbols", name, `${info.undefined.length} undefined symbols all provided`);
}

function shadowing(name: string, ctx: ModuleContext): Check {
  if (!ctx.kernelModules) return skipped("shadowing", name, "the target kernel tree is not available");
  if (!ctx.kernelModules.has(name)) return ok("shadowing", name, "the target has no module of this name");
  if (ctx.replaces.has(name))
    return ok("shadowing", name, "replaces the target's own, as the run chose (--duplicates)");
  return violation(
    "shadowing",
    name,
    "the target kernel has its own module of this name and the run did not choose to replace it",
  );
}
