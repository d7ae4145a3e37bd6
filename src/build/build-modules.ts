import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

/** What a Kbuild run gave: the modules, or the compiler's and modpost's errors, as data. */
export type BuildResult = {
  warnings: Diagnostic[];
  /** Wall time of make itself, to tell the build's own cost from kbackport's. */
  makeSeconds: number;
  compilerNote?: string;
  makeArgs: string[];
} & (
  | { ok: true; modules: BuiltModule[] }
  | {
      ok: false;
      exitCode: number;
      errors: Diagnostic[];
      /** The end of the log, for a failure no diagnostic explains. */
      logTail: string;
    }
);

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

/** A failed build as an error: its first errors, and the hint given (or where the log is). */
export function buildError(
  result: Extract<BuildResult, { ok: false }>,
  release: string,
  hint?: string,
): BuildError {
  const shown = result.errors.slice(0, 10).map(formatDiagnostic);
  const more =
    result.errors.length > shown.length ? `\n  ... and ${result.errors.length - shown.length} more` : "";
  const detail = shown.length > 0 ? shown.map((l) => `  ${l}`).join("\n") : result.logTail;
  return new BuildError(
    `build against ${release} failed (make exited ${result.exitCode}):\n${detail}${more}`,
    result.errors,
    hint ?? "the full log is build.log in the failed output directory",
  );
}

/**
 * Runs `make -C KDIR M=tree modules` and collects the modules into `<outDir>/modules`; a failed build is
 * a result with its diagnostics, not an error.
 */
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
  const started = performance.now();
  const run = await during(`make modules for ${opts.target.release}`, () =>
    runGroup("make", makeArgs, {
      env: {
        LC_ALL: "C",
        KBUILD_BUILD_TIMESTAMP: "",
        SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH ?? "0",
      },
    }),
  );
  const makeSeconds = (performance.now() - started) / 1000;
  const log = run.all;
  writeFileSync(join(opts.outDir, "build.log"), log);
  const diagnostics = parseDiagnostics(log, opts.tree);
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  if (run.exitCode !== 0) {
    return {
      ok: false,
      exitCode: run.exitCode ?? 1,
      errors: diagnostics.filter((d) => d.severity === "error"),
      logTail: lastLines(log, 15),
      warnings,
      compilerNote: compiler.note,
      makeArgs,
      makeSeconds,
    };
  }
  mkdirSync(join(opts.outDir, "modules"), { recursive: true });
  const modules: BuiltModule[] = [];
  for (const mod of opts.modules) {
    const built = join(opts.tree, mod.dir, `${mod.name}.ko`);
    if (!existsSync(built)) {
      throw new KbackportError(`make succeeded but ${mod.dir}/${mod.name}.ko was not built`, {
        hint: `check that ${mod.config} is the symbol upstream's Makefile uses for ${mod.name}`,
      });
    }
    const path = join("modules", `${mod.name}.ko`);
    const bytes = readFileSync(built);
    writeFileSync(join(opts.outDir, path), bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    modules.push({ name: mod.name, component: mod.component, dir: mod.dir, path, sha256 });
  }
  return { ok: true, modules, warnings, compilerNote: compiler.note, makeArgs, makeSeconds };
}

function lastLines(log: string, n: number): string {
  return log
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `  ${l}`)
    .join("\n");
}
