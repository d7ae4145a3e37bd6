import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Listr, type ListrTask } from "listr2";
import { BuildError, buildModules } from "./build/build-modules.js";
import { chooseCompiler } from "./build/toolchain.js";
import { KbackportError } from "./errors.js";
import { resolveDuplicates, type Duplicate, type DuplicateChoice } from "./kernel/duplicates.js";
import { checkFeatureIds, probeFeatures, type Features } from "./kernel/features.js";
import { readKernelTarget, type KernelTarget } from "./kernel/target.js";
import { loadRecipe, type Recipe } from "./recipe/load.js";
import { selectComponents, type SelectedComponent } from "./recipe/select.js";
import { integrate } from "./intree/integrate.js";
import { checkSourceTree } from "./intree/kernel-tree.js";
import { emptyReport, type RunReport } from "./report.js";
import { digest } from "./source/cache.js";
import type { SourceOverride } from "./source/override.js";
import { fetchRequests } from "./source/requests.js";
import { fetchSource, type FetchRequest, type SourceTree } from "./source/sparse-fetch.js";
import { stageOutput, type StagedOutput } from "./output/atomic-dir.js";
import { checkOutputDir, type ProtectedDir } from "./output/owned-dir.js";
import { writeBackportTree, type BackportTree } from "./transform/backport-tree.js";
import { RULE_IDS } from "./transform/rules/index.js";
import { PACKAGE_ROOT, PATCHES_DIR, toolDigest, VERSION } from "./version.js";

export type Command = "fetch" | "prepare" | "build" | "run";

export interface PipelineOptions {
  command: Command;
  recipeFile: string;
  kernelDir?: string;
  outDir?: string;
  sources: readonly SourceOverride[];
  components?: readonly string[];
  assumeMissing: readonly string[];
  arch?: string;
  crossCompile?: string;
  offline: boolean;
  /** What to do with components the target kernel already provides. */
  duplicates: DuplicateChoice;
  jobs?: number;
  /** Patch a copy of the kernel source tree (`<out>/kernel`) and build there. */
  inTree?: boolean;
  /** With inTree: patch and build in the --kernel tree itself. */
  inPlace?: boolean;
  cacheDir: string;
  cwd: string;
}

interface Context {
  report: RunReport;
  recipe?: Recipe;
  components?: SelectedComponent[];
  requests?: FetchRequest[];
  target?: KernelTarget;
  features?: Features;
  sources?: Map<string, SourceTree>;
  output?: StagedOutput;
  outDir?: string;
  tree?: BackportTree;
  reused?: boolean;
}

/** The stages of a command as listr2 tasks; the report in the context is filled as they run. */
export function pipelineTasks(opts: PipelineOptions): ListrTask<Context>[] {
  const needsTarget = opts.command !== "fetch";
  const builds = opts.command === "build" || opts.command === "run";
  return [
    {
      title: "Load recipe",
      task: async (ctx) => {
        checkFeatureIds(opts.assumeMissing);
        const recipe = await loadRecipe(opts.recipeFile, RULE_IDS);
        ctx.recipe = recipe;
        ctx.components = selectComponents(recipe, opts.components);
        ctx.requests = fetchRequests(recipe, ctx.components, opts.sources, opts.cwd);
        ctx.report.recipe = { file: recipe.file, name: recipe.data.name, sha256: recipe.hash };
        ctx.report.components = ctx.components.map((c) => c.name);
      },
    },
    {
      title: "Read target kernel",
      enabled: needsTarget,
      task: (ctx, task) => {
        const target = readKernelTarget(kernelDirOf(opts), {
          arch: opts.arch,
          crossCompile: opts.crossCompile,
        });
        ctx.target = target;
        ctx.outDir = resolve(
          opts.cwd,
          opts.outDir ?? join("out", `${ctx.recipe!.data.name}-${target.release}`),
        );
        ctx.report.outDir = ctx.outDir;
        checkOutputDir(
          ctx.outDir,
          protectedDirs(opts, ctx.recipe!, ctx.requests!, target),
          opts.outDir && "--out",
        );
        task.title = `Target ${target.release} (${target.arch}${target.crossCompile ? `, ${target.crossCompile}` : ""})`;
        checkInTreeOptions(opts, target);
        const resolved = resolveDuplicates(ctx.components!, target.config, opts.duplicates);
        // Skipped duplicates need no fetching: only then do the requests of the load step change.
        if (resolved.components.length !== ctx.components!.length) {
          ctx.requests = fetchRequests(ctx.recipe!, resolved.components, opts.sources, opts.cwd);
        }
        ctx.components = resolved.components;
        ctx.report.components = ctx.components.map((c) => c.name);
        ctx.report.duplicates = resolved.duplicates;
        ctx.report.warnings.push(...resolved.duplicates.map(duplicateWarning));
        // A missing compiler is known now: say so before fetching and transforming.
        if (builds) chooseCompiler(target);
        ctx.report.cacheKey = cacheKey(opts, ctx.recipe!, ctx.requests!, ctx.components!, target);
        ctx.reused = reuse(ctx, ctx.outDir, ctx.report.cacheKey);
      },
    },
    {
      title: "Fetch sources",
      skip: (ctx) => ctx.reused === true,
      task: async (ctx, task) => {
        ctx.sources = new Map();
        for (const req of ctx.requests!) {
          task.output = `${req.name} ${req.commit.slice(0, 12)} (${req.paths.length} paths)`;
          const tree = await fetchSource(req, opts.cacheDir, opts.offline);
          ctx.sources.set(req.name, tree);
          ctx.report.sources.push({
            name: tree.name,
            url: tree.url,
            commit: tree.commit,
            dir: tree.dir,
            cached: tree.cached,
          });
        }
      },
    },
    {
      title: "Probe target features",
      enabled: needsTarget,
      skip: (ctx) => ctx.reused === true,
      task: (ctx) => {
        const target = ctx.target!;
        ctx.features = probeFeatures(target, opts.assumeMissing);
        ctx.report.target = targetReport(target, ctx.features);
      },
    },
    {
      title: "Transform sources",
      enabled: needsTarget,
      skip: (ctx) => ctx.reused === true,
      task: async (ctx, task) => {
        ctx.output = await stageOutput(ctx.outDir!, opts.command);
        ctx.tree = await writeBackportTree({
          outDir: ctx.output.dir,
          components: ctx.components!,
          sources: ctx.sources!,
          target: ctx.target!,
          features: ctx.features!,
          patchesDir: PATCHES_DIR,
        });
        ctx.report.rules = ctx.tree.rules;
        ctx.report.skipped = ctx.tree.skipped;
        ctx.report.kernelPatches = ctx.tree.kernelPatches;
        ctx.report.warnings.push(...treeWarnings(ctx.tree));
        const applied = ctx.tree.rules.filter((r) => r.applied).length;
        const stale = ctx.tree.rules.filter((r) => r.stale).map((r) => r.id);
        task.title = `Transform sources: ${applied} rules applied${stale.length ? `, stale: ${stale.join(", ")}` : ""}`;
      },
    },
    {
      title: "Patch kernel tree",
      enabled: builds && opts.inTree === true,
      skip: (ctx) => ctx.reused === true,
      task: async (ctx, task) => {
        const result = await integrate({
          outDir: ctx.output!.dir,
          finalOutDir: ctx.outDir!,
          inPlace: opts.inPlace === true,
          recipeName: ctx.recipe!.data.name,
          components: ctx.components!,
          sources: ctx.sources!,
          target: ctx.target!,
          tree: ctx.tree!,
          duplicates: ctx.report.duplicates,
          assumeMissing: opts.assumeMissing,
          jobs: opts.jobs ?? availableParallelism(),
          onStep: (step) => (task.output = step),
        });
        // The patched kernel has what the kernel patches add: the transform's warnings are those of the second pass.
        const before = new Set(treeWarnings(ctx.tree!));
        ctx.report.warnings = [
          ...ctx.report.warnings.filter((w) => !before.has(w)),
          ...treeWarnings(result.tree),
        ];
        ctx.target = result.target;
        ctx.tree = result.tree;
        ctx.report.skipped = result.tree.skipped;
        ctx.report.target = {
          ...targetReport(result.target, result.features),
          dir: result.reportedDir,
          sourceDir: result.reportedDir,
        };
        ctx.report.rules = result.tree.rules;
        ctx.report.inTree = result.report;
        if (
          !result.report.rebuild.image &&
          result.report.patches.some((p) => p.name.startsWith("patches/kernel/"))
        )
          ctx.report.warnings.push(
            `${result.reportedDir} had not been built: only make modules_prepare ran; build its kernel (make -C ${result.reportedDir}) to carry the kernel patches`,
          );
        task.title = `Patch kernel tree: ${result.report.patches.filter((p) => p.state === "applied").length} patches applied to ${result.reportedDir}`;
      },
    },
    {
      title: "Build modules",
      enabled: builds,
      skip: (ctx) => ctx.reused === true,
      task: async (ctx, task) => {
        const result = await buildModules({
          outDir: ctx.output!.dir,
          tree: ctx.tree!.dir,
          target: ctx.target!,
          modules: ctx.tree!.modules,
          symbols: ctx.tree!.symbols,
          jobs: opts.jobs,
        });
        ctx.report.modules = result.modules;
        ctx.report.make = ["make", ...result.makeArgs];
        ctx.report.buildWarnings = result.warnings;
        if (result.compilerNote) ctx.report.warnings.push(result.compilerNote);
        task.title = `Build modules: ${result.modules.map((m) => m.name).join(", ")}`;
      },
    },
  ];
}

/** Runs a command's stages; returns the report (errors included) and never throws for user errors. */
export async function runPipeline(
  opts: PipelineOptions,
  renderer: "default" | "simple" | "silent",
): Promise<RunReport> {
  const ctx: Context = { report: emptyReport(opts.command, VERSION) };
  const list = new Listr<Context, "default" | "simple" | "silent", "simple">(pipelineTasks(opts), {
    renderer,
    fallbackRenderer: "simple",
    exitOnError: true,
    collectErrors: false,
    rendererOptions: { collapseErrors: false },
  });
  try {
    await list.run(ctx);
    if (ctx.reused) return ctx.report;
    if (ctx.output) {
      await writeFile(join(ctx.output.dir, "report.json"), `${JSON.stringify(ctx.report, null, 2)}\n`);
      await ctx.output.commit();
    }
  } catch (err) {
    await ctx.output?.abandon();
    if (!(err instanceof KbackportError)) throw err;
    ctx.report.errors.push({
      message: err.message,
      where: err.where,
      hint: err.hint,
      ...(err instanceof BuildError ? { diagnostics: err.diagnostics } : {}),
    });
  }
  return ctx.report;
}

function treeWarnings(tree: BackportTree): string[] {
  return [
    ...tree.warnings,
    ...tree.rules
      .filter((r) => r.stale)
      .map((r) => `rule ${r.id} is stale: the target needs it but nothing in the sources matched`),
  ];
}

function targetReport(target: KernelTarget, features: Features): NonNullable<RunReport["target"]> {
  return {
    dir: target.dir,
    sourceDir: target.sourceDir,
    kind: target.kind,
    release: target.release,
    version: target.version,
    arch: target.arch,
    crossCompile: target.crossCompile,
    compiler: target.compiler,
    symvers: target.symvers !== undefined,
    features: [...features.values()],
  };
}

function checkInTreeOptions(opts: PipelineOptions, target: KernelTarget): void {
  if (opts.inPlace && !opts.inTree) throw new KbackportError("--in-place needs --in-tree");
  if (opts.duplicates === "in-tree" && !opts.inTree) {
    throw new KbackportError("--duplicates in-tree needs --in-tree", {
      hint: "out of tree, choose --duplicates replace or skip",
    });
  }
  if (!opts.inTree) return;
  if (opts.command !== "build" && opts.command !== "run") {
    throw new KbackportError(
      `--in-tree builds in the kernel tree: use it with build or run, not ${opts.command}`,
    );
  }
  checkSourceTree(target);
}

function duplicateWarning(d: Duplicate): string {
  const has = `the target kernel has its own ${d.component} (${d.inKernel.join(", ")})`;
  if (d.choice === "skip")
    return `${has}: the component is skipped and what requires it builds against the kernel's`;
  if (d.choice === "in-tree")
    return `${has}: in-tree, the kernel's own is turned off and the backport's built in its place`;
  const broken = d.brokenConsumers.length
    ? `; these in-kernel modules were built against it and will no longer load with the backport's: ${d.brokenConsumers.join(", ")}`
    : "";
  return `${has}: the backport's modules replace it (installed to updates/, they shadow the in-kernel ones)${broken}`;
}

/** What an output may not be, hold or sit in: the user's trees, kbackport's cache and kbackport itself. */
function protectedDirs(
  opts: PipelineOptions,
  recipe: Recipe,
  requests: readonly FetchRequest[],
  target: KernelTarget,
): ProtectedDir[] {
  const localSources = requests
    .filter((r) => r.url.startsWith("file://"))
    .map((r) => ({ dir: fileURLToPath(r.url), what: `the repository of source '${r.name}'` }));
  return [
    { dir: target.dir, what: "the kernel tree" },
    ...(target.sourceDir !== target.dir ? [{ dir: target.sourceDir, what: "the kernel sources" }] : []),
    { dir: dirname(recipe.file), what: "the recipe's folder" },
    { dir: opts.cacheDir, what: "kbackport's cache" },
    ...localSources,
    { dir: PACKAGE_ROOT, what: "kbackport itself", allowInside: [join(PACKAGE_ROOT, "out")] },
  ];
}

function kernelDirOf(opts: PipelineOptions): string {
  if (opts.kernelDir) return opts.kernelDir;
  const running = `/lib/modules/${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}/build`;
  if (existsSync(running)) return running;
  throw new KbackportError("no --kernel given and the running kernel has no build directory", {
    hint: `pass --kernel with a configured kernel tree or a linux-headers-* directory (looked for ${running})`,
  });
}

function cacheKey(
  opts: PipelineOptions,
  recipe: Recipe,
  requests: readonly FetchRequest[],
  components: readonly SelectedComponent[],
  target: KernelTarget,
): string {
  const fileHash = (path: string | undefined) =>
    path && existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "-";
  return digest(
    opts.command,
    opts.duplicates,
    opts.inTree ? (opts.inPlace ? "in-place" : "in-tree") : "out-of-tree",
    toolDigest(),
    recipe.hash,
    JSON.stringify(requests.map((r) => [r.name, r.url, r.commit, r.paths])),
    components.map((c) => c.name).join(","),
    [...opts.assumeMissing].sort().join(","),
    target.dir,
    target.release,
    target.arch,
    target.crossCompile,
    fileHash(join(target.dir, ".config")),
    fileHash(target.symvers),
    fileHash(join(target.dir, "include/generated/autoconf.h")),
  );
}

/** An unchanged re-run: the previous output has the same key and its modules are intact. */
function reuse(ctx: Context, outDir: string, key: string): boolean {
  const reportPath = join(outDir, "report.json");
  if (!existsSync(reportPath)) return false;
  const previous = JSON.parse(readFileSync(reportPath, "utf8")) as RunReport;
  if (previous.cacheKey !== key || previous.errors.length > 0) return false;
  const intact = previous.modules.every((m) => {
    const path = join(outDir, m.path);
    return existsSync(path) && createHash("sha256").update(readFileSync(path)).digest("hex") === m.sha256;
  });
  if (!intact) return false;
  ctx.report = { ...previous, cached: true };
  return true;
}
