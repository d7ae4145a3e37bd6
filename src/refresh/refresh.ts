import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { componentRules, explainDiagnostics } from "../build/explain.js";
import { formatDiagnostic } from "../build/diagnostics.js";
import { KbackportError } from "../errors.js";
import { modelAtPins, type PinnedModel } from "../model/at-pins.js";
import { diffModels } from "../model/diff.js";
import { freeze, writeFrozenModel, type FrozenModel } from "../model/frozen.js";
import type { DriverModel } from "../model/types.js";
import { stageOutput } from "../output/atomic-dir.js";
import { checkOutputDir, commandDirs } from "../output/owned-dir.js";
import { recoverOutput } from "../output/recover.js";
import { runPipeline } from "../pipeline.js";
import { loadRecipe, type Recipe } from "../recipe/load.js";
import { selectComponents } from "../recipe/select.js";
import type { RunReport } from "../report.js";
import type { SourceOverride } from "../source/override.js";
import { sourceUrl } from "../source/url.js";
import { RULE_IDS } from "../transform/rules/index.js";
import { validateRun } from "../validate/validate-run.js";
import { PACKAGE_ROOT } from "../version.js";
import { compareRules, type RuleDrift } from "./compare-rules.js";
import { rewritePins } from "./recipe-rewrite.js";
import { unlistedRules, type UnlistedRule } from "./unlisted-rules.js";
import { upstreamCommits, type UpstreamCommit } from "./upstream-log.js";
import { removeOnInterrupt } from "../interrupt/registry.js";

export interface RefreshOptions {
  recipeFile: string;
  /** New pins: source name → commit. */
  to: ReadonlyMap<string, string>;
  kernels: readonly string[];
  /** OpenWrt buildroots or SDKs, each a target with its own kernel tree and toolchain. */
  openwrts: readonly string[];
  sources: readonly SourceOverride[];
  outDir?: string;
  write: boolean;
  allowBroken: boolean;
  offline: boolean;
  jobs?: number;
  cacheDir: string;
  cwd: string;
}

export interface Side {
  /** The run's output inside the refresh output. */
  dir: string;
  built: boolean;
  modules: string[];
  /** Build errors, each with the rule that would fix it or "no rule". */
  errors: string[];
  /** Validation against the model derived at the side's pins. */
  violations: string[];
}

export interface TargetRefresh {
  /** The kernel tree built against (an OpenWrt target's own, found in it). */
  kernel: string;
  /** The OpenWrt buildroot or SDK the target came from. */
  openwrt?: string;
  release?: string;
  current: Side;
  next: Side;
  rules: RuleDrift[];
  unlisted: UnlistedRule[];
  /** Errors and warnings at the new pins that the current pins do not have. */
  newErrors: string[];
  newWarnings: string[];
  /** Files in the refresh output: the diff of the transformed trees and of the kernel patches. */
  diffs: { tree: string; kernelPatches: string };
}

export interface RefreshReport {
  recipe: string;
  /** What a killed refresh had left beside the output, put right before this one. */
  recovered?: string[];
  pins: { source: string; from: string; to: string }[];
  targets: TargetRefresh[];
  /** The reference model at the new pins against the current one. */
  modelDrift: string[];
  upstream: ({ source: string } & ({ commits: UpstreamCommit[] } | { unavailable: string }))[];
  /** Every target builds and validates at the new pins. */
  ok: boolean;
  written: boolean;
  /** With --write: the frozen reference model written for the new pins. */
  frozenModel?: string;
  outDir: string;
}

/** Builds and validates every target at the current and the new pins and says what drifted. */
export async function refresh(opts: RefreshOptions): Promise<RefreshReport> {
  const recipe = await loadRecipe(opts.recipeFile, RULE_IDS);
  for (const name of opts.to.keys()) {
    if (!(name in recipe.data.sources))
      throw new KbackportError(`--to ${name}: the recipe has no source of that name`, {
        hint: `its sources are: ${Object.keys(recipe.data.sources).join(", ")}`,
      });
  }
  if (opts.kernels.length + opts.openwrts.length === 0)
    throw new KbackportError(
      "refresh needs a target: pass --kernel DIR or --openwrt DIR (as many as you ship for)",
    );
  const outDir = resolve(opts.cwd, opts.outDir ?? join("out", `refresh-${recipe.data.name}`));
  const recovered = recoverOutput(outDir);
  checkOutputDir(
    outDir,
    [
      ...opts.kernels.map((k) => ({ dir: k, what: "a kernel tree" })),
      ...opts.openwrts.map((o) => ({ dir: o, what: "an OpenWrt tree" })),
      ...commandDirs(recipe.file, opts.cacheDir, PACKAGE_ROOT),
    ],
    opts.outDir && "--out",
  );
  const staged = await stageOutput(outDir, "refresh");
  try {
    const { report, nextModel } = await compareAll(opts, recipe, staged.dir, outDir);
    if (recovered.length) report.recovered = recovered;
    await writeFile(join(staged.dir, "refresh.json"), `${JSON.stringify(report, null, 2)}\n`);
    await staged.commit();
    if (opts.write && (report.ok || opts.allowBroken)) {
      // The model first: a recipe pinned where no model is frozen could not be validated.
      report.frozenModel = await writeFrozenModel(recipe.file, nextModel);
      await writeRecipe(recipe, report, opts);
      report.written = true;
    }
    return report;
  } catch (err) {
    await staged.abandon();
    throw err;
  }
}

async function compareAll(
  opts: RefreshOptions,
  recipe: Recipe,
  dir: string,
  finalDir: string,
): Promise<{ report: RefreshReport; nextModel: FrozenModel }> {
  const newSources: SourceOverride[] = [...opts.to].map(([name, commit]) => ({
    name,
    location:
      opts.sources.find((s) => s.name === name)?.location ??
      sourceUrl(recipe.data.sources[name]!.url, dirname(recipe.file)),
    commit,
  }));
  const nextOverrides = [...opts.sources.filter((s) => !opts.to.has(s.name)), ...newSources];
  const selected = selectComponents(recipe);
  const components = componentRules(selected);
  const targets: TargetRefresh[] = [];
  let models: { current: PinnedModel; next: PinnedModel } | undefined;
  let pinned: { current: RunReport; next: RunReport } | undefined;
  const targetDirs: { kernelDir?: string; openwrt?: string }[] = [
    ...opts.kernels.map((kernelDir) => ({ kernelDir })),
    ...opts.openwrts.map((openwrt) => ({ openwrt })),
  ];
  for (const [i, where] of targetDirs.entries()) {
    const key = `target-${i + 1}`;
    const run = (side: string, sources: readonly SourceOverride[]) =>
      runPipeline(
        {
          command: "build",
          recipeFile: opts.recipeFile,
          ...where,
          outDir: join(dir, key, side),
          sources,
          assumeMissing: [],
          offline: opts.offline,
          duplicates: "replace",
          jobs: opts.jobs,
          cacheDir: opts.cacheDir,
          cwd: opts.cwd,
        },
        "silent",
      );
    const current = await run("current", opts.sources);
    const next = await run("new", nextOverrides);
    const fatal = [current, next].find((r) => r.errors.length > 0 && r.sources.length === 0);
    if (fatal)
      throw new KbackportError(fatal.errors[0]!.message, {
        where: fatal.errors[0]!.where,
        hint: fatal.errors[0]!.hint,
      });
    pinned ??= { current, next };
    models ??= {
      current: await modelAtPins(current, opts.cacheDir, opts.offline),
      next: await modelAtPins(next, opts.cacheDir, opts.offline),
    };
    // A side that failed is kept as <side>.failed, as every kbackport output is.
    const outputOf = (name: string) =>
      existsSync(join(dir, key, `${name}.failed`)) ? `${name}.failed` : name;
    const side = async (report: RunReport, name: string, model: DriverModel): Promise<Side> => {
      const sideDir = join(dir, key, outputOf(name));
      const built = report.errors.length === 0;
      const violations = built
        ? (await validateRun(sideDir, { model, source: `derived at the ${name} pins` })).checks
            .filter((c) => c.status === "violation")
            .map((c) => `${c.check} ${c.subject}: ${c.detail}`)
        : [];
      return {
        dir: join(finalDir, key, outputOf(name)),
        built,
        modules: report.modules.map((m) => m.name),
        errors: report.errors.flatMap((e) =>
          e.diagnostics?.length
            ? explainDiagnostics(e.diagnostics, components).map((x) => x.line)
            : [e.message],
        ),
        violations,
      };
    };
    const a = await side(current, "current", models.current.model);
    const b = await side(next, "new", models.next.model);
    const currentDiag = new Set(
      [...(current.errors[0]?.diagnostics ?? []), ...current.buildWarnings].map(withoutLine),
    );
    const nextErrors = next.errors[0]?.diagnostics ?? [];
    targets.push({
      kernel: next.target?.dir ?? current.target?.dir ?? (where.kernelDir || where.openwrt!),
      ...(where.openwrt ? { openwrt: where.openwrt } : {}),
      release: next.target?.release ?? current.target?.release,
      current: a,
      next: b,
      rules: compareRules(current.rules, next.rules),
      unlisted:
        next.target && next.sources.length > 0
          ? await unlistedRules(
              recipe.data,
              new Map(next.sources.map((s) => [s.name, s.dir])),
              next.target.features,
            )
          : [],
      newErrors: explainDiagnostics(
        nextErrors.filter((d) => !currentDiag.has(withoutLine(d))),
        components,
      ).map((x) => x.line),
      newWarnings: next.buildWarnings.filter((d) => !currentDiag.has(withoutLine(d))).map(formatDiagnostic),
      diffs: await writeDiffs(
        join(dir, key),
        { report: current, dir: outputOf("current") },
        { report: next, dir: outputOf("new") },
        key,
      ),
    });
  }
  const upstream = [];
  for (const [name, to] of opts.to) {
    const from = pinned!.current.sources.find((s) => s.name === name);
    const url = newSources.find((s) => s.name === name)!.location;
    const paths = Object.values(recipe.data.components)
      .filter((c) => c.source === name)
      .flatMap((c) => c.paths);
    upstream.push({
      source: name,
      ...(from
        ? await upstreamCommits({
            url: sourceUrl(url, opts.cwd),
            from: from.commit,
            to,
            since: from.committed ?? 0,
            paths,
          })
        : { unavailable: `source ${name} was not fetched at the current pins` }),
    });
  }
  const report: RefreshReport = {
    recipe: recipe.file,
    pins: [...opts.to].map(([source, to]) => ({
      source,
      from:
        pinned!.current.sources.find((s) => s.name === source)?.commit ?? recipe.data.sources[source]!.commit,
      to,
    })),
    targets,
    modelDrift: diffModels(models!.current.model, models!.next.model),
    upstream,
    ok: targets.every((t) => t.next.built && t.next.violations.length === 0),
    written: false,
    outDir: finalDir,
  };
  return { report, nextModel: freeze(pinned!.next, models!.next) };
}

/** A diagnostic without its line and column: the same problem in code that moved. */
function withoutLine(d: { file?: string; message: string; severity: string }): string {
  return `${d.severity} ${d.file ?? ""} ${d.message}`;
}

/** diff -ruN of the transformed trees (their own files, not build objects) and of the kernel patches. */
async function writeDiffs(
  dir: string,
  current: { report: RunReport; dir: string },
  next: { report: RunReport; dir: string },
  key: string,
) {
  const scratch = mkdtempSync(join(tmpdir(), "kbackport-refresh-"));
  const forget = removeOnInterrupt(scratch);
  try {
    const copy = async ({ report, dir: output }: { report: RunReport; dir: string }, side: string) => {
      const root = join(scratch, side);
      for (const file of report.treeFiles) {
        await mkdir(dirname(join(root, "tree", file)), { recursive: true });
        await copyFile(join(dir, output, "tree", file), join(root, "tree", file));
      }
      for (const p of report.kernelPatches.filter((k) => k.file)) {
        await mkdir(join(root, "patches"), { recursive: true });
        await copyFile(join(dir, output, p.file!), join(root, "patches", p.file!.replace(/^.*\//, "")));
      }
      await mkdir(join(root, "tree"), { recursive: true });
      await mkdir(join(root, "patches"), { recursive: true });
    };
    await copy(current, "current");
    await copy(next, "new");
    const diff = (what: string) => {
      try {
        return execFileSync("diff", ["-ruN", `current/${what}`, `new/${what}`], {
          cwd: scratch,
          encoding: "utf8",
          maxBuffer: 1 << 28,
        });
      } catch (err) {
        const e = err as { status?: number; stdout?: string };
        if (e.status === 1) return e.stdout ?? "";
        throw err;
      }
    };
    await writeFile(join(dir, "tree.diff"), diff("tree"));
    await writeFile(join(dir, "kernel-patches.diff"), diff("patches"));
    return { tree: join(key, "tree.diff"), kernelPatches: join(key, "kernel-patches.diff") };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    forget();
  }
}

/** --write: the new pins in the recipe, in place; with --allow-broken, what is broken as comments above them. */
async function writeRecipe(recipe: Recipe, report: RefreshReport, opts: RefreshOptions): Promise<void> {
  const broken = report.targets.flatMap((t) => [
    ...(t.next.built
      ? []
      : [`${t.release ?? t.kernel}: does not build: ${t.next.errors[0] ?? "see refresh.json"}`]),
    ...t.next.violations.slice(0, 3).map((v) => `${t.release ?? t.kernel}: ${v}`),
  ]);
  const notes = new Map(
    [...opts.to.keys()].map((name) => [
      name,
      broken.length > 0
        ? [`kbackport refresh --allow-broken: broken at this pin on`, ...broken.map((b) => `  ${b}`)]
        : [],
    ]),
  );
  const text = await readFile(recipe.file, "utf8");
  const updated = rewritePins(text, recipe.file, opts.to, notes);
  const tmp = `${recipe.file}.kbackport-${process.pid}`;
  await writeFile(tmp, updated);
  await rename(tmp, recipe.file);
}
