import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { KbackportError } from "../errors.js";
import { runGroup } from "../interrupt/process-group.js";
import { during } from "../interrupt/registry.js";
import type { KernelTarget } from "../kernel/target.js";
import type { ModuleSpec } from "../recipe/schema.js";
import { formatDiagnostic, parseDiagnostics, type Diagnostic } from "./diagnostics.js";
import { makeArguments, type KconfigValue } from "./kbuild.js";
import { chooseCompiler, hasTool, installHint } from "./toolchain.js";

export interface BuiltModule {
  name: string;
  component: string;
  /** The module's directory in the backport tree, where Kbuild builds it. */
  dir: string;
  /** Path in the output directory. */
  path: string;
  sha256: string;
}

export interface BuildResult {
  modules: BuiltModule[];
  warnings: Diagnostic[];
  compilerNote?: string;
  makeArgs: string[];
}

/** A failed Kbuild run, with the compiler's and modpost's errors. */
export class BuildError extends KbackportError {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
    hint: string,
  ) {
    super(message, { hint });
    this.name = "BuildError";
  }
}

/** Runs `make -C KDIR M=tree modules` and collects the modules into `<outDir>/modules`. */
export async function buildModules(opts: {
  outDir: string;
  tree: string;
  target: KernelTarget;
  modules: readonly (ModuleSpec & { component: string })[];
  symbols: ReadonlyMap<string, KconfigValue>;
  jobs?: number;
}): Promise<BuildResult> {
  if (!hasTool("make")) throw new KbackportError("make not found", { hint: installHint("make") });
  const compiler = chooseCompiler(opts.target);
  const makeArgs = makeArguments({
    kernelDir: opts.target.dir,
    tree: opts.tree,
    arch: opts.target.arch,
    crossCompile: opts.target.crossCompile,
    cc: compiler.override,
    symbols: opts.symbols,
    jobs: opts.jobs ?? availableParallelism(),
  });
  const run = await during(`make modules for ${opts.target.release}`, () =>
    runGroup("make", makeArgs, {
      env: {
        LC_ALL: "C",
        KBUILD_BUILD_TIMESTAMP: "",
        SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH ?? "0",
      },
    }),
  );
  const log = run.all;
  await writeFile(join(opts.outDir, "build.log"), log);
  const diagnostics = parseDiagnostics(log, opts.tree);
  if (run.exitCode !== 0) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const shown = errors.slice(0, 10).map(formatDiagnostic);
    const more = errors.length > shown.length ? `\n  ... and ${errors.length - shown.length} more` : "";
    const detail = shown.length > 0 ? shown.map((l) => `  ${l}`).join("\n") : lastLines(log, 15);
    const apis = [...new Set(errors.flatMap((e) => (e.api ? [e.api] : [])))];
    throw new BuildError(
      `build against ${opts.target.release} failed (make exited ${run.exitCode}):\n${detail}${more}`,
      errors,
      apis.length > 0
        ? `the target lacks ${apis.join(", ")}: add the rules that backport them to the component's rules`
        : "the full log is build.log in the failed output directory",
    );
  }
  await mkdir(join(opts.outDir, "modules"), { recursive: true });
  const modules: BuiltModule[] = [];
  for (const mod of opts.modules) {
    const built = join(opts.tree, mod.dir, `${mod.name}.ko`);
    if (!existsSync(built)) {
      throw new KbackportError(`make succeeded but ${mod.dir}/${mod.name}.ko was not built`, {
        hint: `check that ${mod.config} is the symbol upstream's Makefile uses for ${mod.name}`,
      });
    }
    const path = join("modules", `${mod.name}.ko`);
    await copyFile(built, join(opts.outDir, path));
    const sha256 = createHash("sha256")
      .update(await readFile(built))
      .digest("hex");
    modules.push({ name: mod.name, component: mod.component, dir: mod.dir, path, sha256 });
  }
  return {
    modules,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
    compilerNote: compiler.note,
    makeArgs,
  };
}

function lastLines(log: string, n: number): string {
  return log
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `  ${l}`)
    .join("\n");
}
