import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ListrTask } from "listr2";
import { BuildError } from "./build/build-modules.js";
import { KbackportError } from "./errors.js";
import { systemFault } from "./faults.js";
import { during } from "./interrupt/registry.js";
import { emptyReport, type RunReport } from "./report.js";
import { buildStage } from "./stages/build.js";
import { fetchSourcesStage } from "./stages/fetch-sources.js";
import { integrateDriverStage, patchKernelStage } from "./stages/in-tree.js";
import { loadRecipeStage } from "./stages/load-recipe.js";
import { packageStage } from "./stages/package.js";
import { probeStage } from "./stages/probe.js";
import { readTargetStage } from "./stages/read-target.js";
import type { PipelineOptions, PipelineState, Progress, Stage } from "./stages/state.js";
import { transformStage } from "./stages/transform.js";
import { VERSION } from "./version.js";

export type { Command, PipelineOptions } from "./stages/state.js";

/**
 * A command as the list of its stages. In-tree mode patches the kernel after the first transform, then
 * probes and transforms again for the patched kernel before the drivers join it.
 */
export function commandStages(opts: PipelineOptions): Stage[] {
  if (opts.command === "fetch") return [loadRecipeStage, fetchSourcesStage];
  const prepare = [loadRecipeStage, readTargetStage, fetchSourcesStage, probeStage, transformStage];
  if (opts.command === "prepare") return prepare;
  const inTree = opts.inTree ? [patchKernelStage, probeStage, transformStage, integrateDriverStage] : [];
  return [
    ...prepare,
    ...inTree,
    buildStage,
    ...(opts.command === "run" && opts.openwrt !== undefined ? [packageStage] : []),
  ];
}

/** Runs one stage, timed into the report. */
async function runStage(
  stage: Stage,
  state: PipelineState,
  opts: PipelineOptions,
  progress: Progress,
): Promise<void> {
  const start = performance.now();
  try {
    await during(stage.id, async () => stage.run(state, opts, progress));
  } catch (err) {
    throw systemFault(err, `${stage.title.toLowerCase()} failed`) ?? err;
  } finally {
    state.report.stages.push({ id: stage.id, seconds: (performance.now() - start) / 1000 });
  }
}

/** A stage that does not decide reuse is skipped when the previous output is reused. */
const skipped = (stage: Stage, state: PipelineState) => state.reused === true && !stage.decidesReuse;

/**
 * Runs the stages in order, the first error ending the run. With nothing to show (--json), they run
 * without listr2, which is then never loaded.
 */
async function runStages(
  opts: PipelineOptions,
  state: PipelineState,
  renderer: "default" | "simple" | "silent",
): Promise<void> {
  if (renderer === "silent") {
    const quiet: Progress = { output: () => undefined, title: () => undefined };
    for (const stage of commandStages(opts))
      if (!skipped(stage, state)) await runStage(stage, state, opts, quiet);
    return;
  }
  const { Listr } = await import("listr2");
  const tasks: ListrTask<PipelineState>[] = commandStages(opts).map((stage) => ({
    title: stage.title,
    skip: (state) => skipped(stage, state),
    task: (state, task) =>
      runStage(stage, state, opts, {
        output: (text) => (task.output = text),
        title: (text) => (task.title = text),
      }),
  }));
  await new Listr<PipelineState, "default" | "simple", "simple">(tasks, {
    renderer,
    fallbackRenderer: "simple",
    exitOnError: true,
    collectErrors: false,
    // Interrupts are the command's to handle (src/interrupt): listr2's own handler exits 127 at once.
    registerSignalListeners: false,
    rendererOptions: { collapseErrors: false },
  }).run(state);
}

/** Runs a command's stages; returns the report (errors included) and never throws for user errors. */
export async function runPipeline(
  opts: PipelineOptions,
  renderer: "default" | "simple" | "silent",
): Promise<RunReport> {
  const state: PipelineState = { report: emptyReport(opts.command, VERSION) };
  try {
    await runStages(opts, state, renderer);
    if (state.reused) return state.report;
    if (state.output) {
      await writeFile(join(state.output.dir, "report.json"), `${JSON.stringify(state.report, null, 2)}\n`);
      await state.output.commit();
    }
  } catch (err) {
    if (err instanceof KbackportError) {
      state.report.errors.push({
        message: err.message,
        where: err.where,
        hint: err.hint,
        ...(err instanceof BuildError ? { diagnostics: err.diagnostics } : {}),
      });
      // The failed attempt (<out>.failed) carries its report: what failed, and the pins it was at.
      if (state.output)
        await writeFile(
          join(state.output.dir, "report.json"),
          `${JSON.stringify(state.report, null, 2)}\n`,
        ).catch(() => undefined);
    }
    await state.output?.abandon();
    if (!(err instanceof KbackportError)) throw err;
  }
  return state.report;
}
