import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseDiagnostics, formatDiagnostic } from "../build/diagnostics.js";
import { toolchainArguments } from "../build/kbuild.js";
import { chooseCompiler, hasTool, installHint } from "../build/toolchain.js";
import { KbackportError } from "../errors.js";
import { runGroup } from "../interrupt/process-group.js";
import { during } from "../interrupt/registry.js";
import type { RunReport } from "../report.js";
import { PACKAGE_ROOT } from "../version.js";

/** The software MHI modem's sources (sim/README.md says what it emulates). */
export const MODEM_DIR = join(PACKAGE_ROOT, "sim");
export const MODEM_MODULE = "mhi_sim";

/**
 * Builds the software modem against a run, as the run's own modules were built: the target's tree and
 * toolchain, the run's transformed tree first on the include path (its MHI headers and compat wrappers),
 * and the run's Module.symvers for the MHI core's exports. Returns the path of the module.
 */
export async function buildModem(runDir: string, report: RunReport, work: string): Promise<string> {
  const target = report.target!;
  // In-tree runs built the backport inside their patched kernel copy (make M=<kernel>/<backportDir>):
  // its exports are in that directory's Module.symvers, as an out-of-tree run's are in tree/.
  const kernelDir = report.inTree?.kernelDir ?? target.dir;
  const tree = report.inTree ? join(kernelDir, report.inTree.backportDir) : join(runDir, "tree");
  const symvers = join(tree, "Module.symvers");
  if (!existsSync(symvers)) {
    throw new KbackportError(`the run ${runDir} has no ${symvers}: the software modem links against it`, {
      hint: "validate the output of a `kbackport run` or `build` (a `prepare` builds nothing)",
    });
  }
  if (!existsSync(join(kernelDir, "Makefile"))) {
    throw new KbackportError(
      `the run's kernel tree ${kernelDir} is gone: the software modem is built against it`,
      {
        hint: "run kbackport again against the kernel tree at hand, then validate that run",
      },
    );
  }
  if (!hasTool("make")) throw new KbackportError("make not found", { hint: installHint("make") });
  const dir = join(work, "modem");
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(MODEM_DIR).filter((n) => /\.[ch]$|^Kbuild$/.test(n)))
    copyFileSync(join(MODEM_DIR, name), join(dir, name));
  const compiler = chooseCompiler(target);
  const run = await during(`make of the software modem for ${target.release}`, () =>
    runGroup(
      "make",
      [
        "-C",
        kernelDir,
        `M=${dir}`,
        ...toolchainArguments({
          arch: target.arch,
          crossCompile: target.crossCompile,
          cc: compiler.override,
        }),
        `KBACKPORT_TREE=${tree}`,
        `KBUILD_EXTRA_SYMBOLS=${symvers}`,
        "modules",
      ],
      { env: { LC_ALL: "C" } },
    ),
  );
  const module = join(dir, `${MODEM_MODULE}.ko`);
  if (run.exitCode !== 0 || !existsSync(module)) {
    const errors = parseDiagnostics(run.all, dir).filter((d) => d.severity === "error");
    const detail = errors.length
      ? errors.slice(0, 10).map((d) => `  ${formatDiagnostic(d)}`)
      : run.all.trimEnd().split("\n").slice(-15);
    throw new KbackportError(
      `the software modem (sim/) did not build against the run for ${target.release}:\n${detail.join("\n")}`,
      { hint: "the run's MHI API differs from the one sim/ is written for; see sim/README.md" },
    );
  }
  return module;
}
