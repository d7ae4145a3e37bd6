import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chooseCompiler } from "../build/toolchain.js";
import { KbackportError } from "../errors.js";
import { checkSourceTree } from "../intree/kernel-tree.js";
import { resolveDuplicates, type Duplicate } from "../kernel/duplicates.js";
import { readKernelTarget, type KernelTarget } from "../kernel/target.js";
import { checkOutputDir, commandDirs, type ProtectedDir } from "../output/owned-dir.js";
import { recoverOutput } from "../output/recover.js";
import type { OpenWrtTree } from "../package/openwrt/openwrt-dir.js";
import { readSigningKey } from "../package/openwrt/usign.js";
import type { Recipe } from "../recipe/load.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { RunReport } from "../report.js";
import { digest } from "../source/cache.js";
import { memoByStat } from "../source/stat-memo.js";
import { fetchRequests } from "../source/requests.js";
import type { FetchRequest } from "../source/sparse-fetch.js";
import { PACKAGE_ROOT, toolDigest } from "../version.js";
import { need, type PipelineOptions, type PipelineState, type Stage } from "./state.js";

/**
 * Reads the target kernel and settles everything known before any work: the output directory (refused
 * when it is not kbackport's), the in-kernel duplicates, the compiler, and whether the previous output
 * can be reused as it is.
 */
export const readTargetStage: Stage = {
  id: "target",
  title: "Read target kernel",
  decidesReuse: true,
  async run(state, opts, progress) {
    const recipe = need(state, "recipe");
    // OpenWrt's facts (releases, packages) are loaded only for an OpenWrt target.
    const openwrt =
      opts.openwrt === undefined
        ? undefined
        : (await import("../package/openwrt/openwrt-dir.js")).readOpenWrtTree(opts.openwrt);
    if (openwrt && opts.kernelDir)
      throw new KbackportError("--openwrt and --kernel both name the target: give one of them", {
        hint: "--openwrt DIR finds the kernel tree in the OpenWrt buildroot or SDK itself",
      });
    state.openwrt = openwrt;
    if (opts.signKey !== undefined) {
      if (!openwrt || opts.command !== "run")
        throw new KbackportError("--sign-key signs OpenWrt packages: use it with run --openwrt", {
          hint: "or sign a run's packages with kbackport package openwrt RUN --sign-key KEY",
        });
      state.signKey = readSigningKey(opts.signKey);
    }
    const target = readKernelTarget(openwrt?.kernelDir ?? kernelDirOf(opts), {
      cacheDir: opts.cacheDir,
      arch: opts.arch,
      crossCompile: opts.crossCompile ?? openwrt?.crossCompile,
    });
    state.target = target;
    const outDir = resolve(opts.cwd, opts.outDir ?? join("out", `${recipe.data.name}-${target.release}`));
    state.outDir = outDir;
    state.report.outDir = outDir;
    state.report.warnings.push(...recoverOutput(outDir));
    checkOutputDir(
      outDir,
      protectedDirs(opts, recipe, need(state, "requests"), target),
      opts.outDir && "--out",
    );
    progress.title(
      `Target ${target.release} (${target.arch}${target.crossCompile ? `, ${target.crossCompile}` : ""})`,
    );
    checkInTreeOptions(opts, target);
    const components = need(state, "components");
    const resolved = resolveDuplicates(components, target.config, opts.duplicates);
    // Skipped duplicates need no fetching: only then do the requests of the load step change.
    if (resolved.components.length !== components.length) {
      state.requests = fetchRequests(recipe, resolved.components, opts.sources, opts.cwd);
    }
    state.components = resolved.components;
    state.report.components = resolved.components.map((c) => c.name);
    state.report.duplicates = resolved.duplicates;
    state.report.warnings.push(...resolved.duplicates.map(duplicateWarning));
    // A missing compiler is known now: say so before fetching and transforming.
    if (opts.command === "build" || opts.command === "run") chooseCompiler(target);
    state.report.cacheKey = cacheKey(
      opts,
      recipe,
      need(state, "requests"),
      resolved.components,
      target,
      openwrt,
    );
    state.reused = reuse(state, outDir, state.report.cacheKey);
  },
};

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
    ...localSources,
    ...(opts.openwrt ? [{ dir: opts.openwrt, what: "the OpenWrt tree" }] : []),
    ...commandDirs(recipe.file, opts.cacheDir, PACKAGE_ROOT),
  ];
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

/** The run's warning on a component the target already has (a DKMS package says it again when installed). */
export function duplicateWarning(d: Duplicate): string {
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
  openwrt: OpenWrtTree | undefined,
): string {
  // The kernel's files are large (Module.symvers: 1.5 MB for Debian's amd64) and rarely change.
  const fileHash = (path: string | undefined) =>
    path && existsSync(path)
      ? memoByStat(opts.cacheDir, "digests", path, (bytes) =>
          createHash("sha256").update(bytes).digest("hex"),
        )
      : "-";
  return digest(
    opts.command,
    opts.duplicates,
    openwrt ? `openwrt ${openwrt.family.id} ${openwrt.archPackages} ${openwrt.vermagic}` : "-",
    opts.signKey ? fileHash(opts.signKey) : "-",
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
function reuse(state: PipelineState, outDir: string, key: string): boolean {
  const reportPath = join(outDir, "report.json");
  if (!existsSync(reportPath)) return false;
  let previous: RunReport;
  try {
    previous = JSON.parse(readFileSync(reportPath, "utf8")) as RunReport;
  } catch (err) {
    // Our own output, damaged: this run replaces it.
    state.report.warnings.push(
      `the previous output's ${reportPath} is damaged (${(err as Error).message}): replaced`,
    );
    return false;
  }
  if (previous.cacheKey !== key || !Array.isArray(previous.errors) || previous.errors.length > 0)
    return false;
  const intact =
    Array.isArray(previous.modules) &&
    previous.modules.every((m) => {
      const path = join(outDir, normalize(String(m.path)));
      return (
        path.startsWith(join(outDir, "modules/")) &&
        existsSync(path) &&
        createHash("sha256").update(readFileSync(path)).digest("hex") === m.sha256
      );
    });
  if (!intact) return false;
  // The output is the previous run's; the time spent is this run's (the stages that decided the reuse).
  state.report = {
    ...previous,
    cached: true,
    stages: state.report.stages,
    // What this run found and did before reusing (a killed run's debris removed) is said too.
    warnings: [...new Set([...state.report.warnings, ...previous.warnings])],
  };
  return true;
}
