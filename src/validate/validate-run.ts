import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KCONFIG_HEADER } from "../build/kbuild.js";
import { KbackportError } from "../errors.js";
import { readKernelTarget, type KernelTarget } from "../kernel/target.js";
import { describeRunModel, runModel } from "../model/run-model.js";
import type { DriverModel } from "../model/types.js";
import { skipped, type Check } from "./check.js";
import { checkModule } from "./module-checks.js";
import { readModuleInfo } from "./module-info.js";
import { openWrtAutoload } from "./openwrt-autoload.js";
import { readRunReport } from "./run-report.js";
import type { RunReport } from "../report.js";
import { checkApiUse, checkProtocol } from "./source-checks.js";
import { kernelModuleNames, symversSymbols } from "./symvers.js";
import { expectedVermagic } from "./vermagic.js";

export interface ValidationReport {
  runDir: string;
  /** The kernel the run targeted, when its tree was at hand for the checks that need it. */
  target?: string;
  /** The reference model the run was checked against, and where it comes from. */
  model: string;
  checks: Check[];
  ok: boolean;
}

/** Checks a run's modules and transformed sources against the reference model and the target kernel. */
export async function validateRun(
  runDir: string,
  given?: { model: DriverModel; source: string },
  report: RunReport = readRunReport(runDir),
): Promise<ValidationReport> {
  const { model, source } = given ?? (await referenceOf(report));
  const target =
    report.target && openTarget(report.target.dir, report.target.arch, report.target.crossCompile);
  const tree = join(runDir, "tree");
  const runChoices = existsSync(join(tree, KCONFIG_HEADER))
    ? kconfigChoices(readFileSync(join(tree, KCONFIG_HEADER), "utf8"))
    : new Map<string, boolean>();
  const enabled = (sym: string) => runChoices.get(sym) ?? ["y", "m"].includes(target?.config.get(sym) ?? "");

  const infos = await Promise.all(report.modules.map((m) => readModuleInfo(join(runDir, m.path))));
  const replacedComponents = new Set(
    (report.duplicates ?? [])
      .filter((d) => d.choice === "replace" || d.choice === "in-tree")
      .map((d) => d.component),
  );
  const ctx = {
    vermagic: target && expectedVermagic(target.release, target.arch, target.config),
    enabled,
    kernelSymbols: target?.symvers ? symversSymbols(target.symvers) : undefined,
    siblingExports: new Set(infos.flatMap((i) => i.exports)),
    kernelModules: target && kernelModuleNames(target.dir, target.symvers),
    replaces: new Set(report.modules.filter((m) => replacedComponents.has(m.component)).map((m) => m.name)),
    modelModules: new Set(model.modules.map((m) => m.name)),
    stripped:
      target?.config.get("CONFIG_MODULE_STRIPPED") === "y"
        ? { autoload: openWrtAutoload(runDir) }
        : undefined,
  };
  const checks: Check[] = report.modules.flatMap((m, i) =>
    checkModule(
      m.name,
      infos[i]!,
      model.modules.find((mm) => mm.name === m.name),
      ctx,
    ),
  );
  if (existsSync(tree)) {
    checks.push(...checkProtocol(tree, model, target?.sourceDir));
    checks.push(...(await checkApiUse(tree, report.target?.features ?? [])));
  } else {
    checks.push(skipped("protocol", "sources", `${tree} does not exist`));
  }
  return {
    runDir,
    target: target?.dir,
    model: source,
    checks,
    ok: checks.every((c) => c.status !== "violation"),
  };
}

/** The run's reference model, named with where it comes from. */
async function referenceOf(report: RunReport): Promise<{ model: DriverModel; source: string }> {
  const ref = await runModel(report);
  return { model: ref.model, source: describeRunModel(ref, report) };
}

/** The kernel tree of the run, if it is still there and configured. */
function openTarget(dir: string, arch: string, crossCompile: string): KernelTarget | undefined {
  if (!existsSync(dir)) return undefined;
  try {
    return readKernelTarget(dir, { arch, crossCompile });
  } catch (err) {
    if (err instanceof KbackportError) return undefined;
    throw err;
  }
}

/** The run's Kconfig choices from its forced header: `#define CONFIG_X 1` or `_MODULE 1` is on, a bare #undef off. */
function kconfigChoices(header: string): Map<string, boolean> {
  const choices = new Map<string, boolean>();
  for (const m of header.matchAll(/^#undef (CONFIG_\w+)$/gm)) {
    if (!m[1]!.endsWith("_MODULE")) choices.set(m[1]!, false);
  }
  for (const m of header.matchAll(/^#define (CONFIG_\w+?)(_MODULE)? 1$/gm)) choices.set(m[1]!, true);
  return choices;
}
