import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Listr, type ListrTask } from "listr2";
import { BuildError } from "./build/build-modules.js";
import { KbackportError } from "./errors.js";
import { during } from "./interrupt/registry.js";
import { emptyReport, type RunReport } from "./report.js";
import { buildStage } from "./stages/build.js";
import { fetchSourcesStage } from "./stages/fetch-sources.js";
import { integrateDriverStage, patchKernelStage } from "./stages/in-tree.js";
import { loadRecipeStage } from "./stages/load-recipe.js";
import { packageStage } from "./stages/package.js";
import { probeStage } from "./stages/probe.js";
import { readTargetStage } from "./stages/read-target.js";
import type { PipelineOptions, PipelineState, Stage } from "./stages/state.js";
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

/** The stages as listr2 tasks, each timed into the report. */
function tasks(opts: PipelineOptions): ListrTask<PipelineState>[] {
  return commandStages(opts).map((stage) => ({
    title: stage.title,
    skip: (state) => state.reused === true && !stage.decidesReuse,
    task: async (state, task) => {
      const start = performance.now();
      try {
        await during(stage.id, async () =>
          stage.run(state, opts, {
            output: (text) => (task.output = text),
            title: (text) => (task.title = text),
          }),
        );
      } finally {
        state.report.stages.push({ id: stage.id, seconds: (performance.now() - start) / 1000 });
      }
    },
  }));
}

/** Runs a command's stages; returns the report (errors included) and never throws for user errors. */
export async function runPipeline(
  opts: PipelineOptions,
  renderer: "default" | "simple" | "silent",
): Promise<RunReport> {
  const state: PipelineState = { report: emptyReport(opts.command, VERSION) };
  const list = new Listr<PipelineState, "default" | "simple" | "silent", "simple">(tasks(opts), {
    renderer,
    fallbackRenderer: "simple",
    exitOnError: true,
    collectErrors: false,
    // Interrupts are the command's to handle (src/interrupt): listr2's own handler exits 127 at once.
    registerSignalListeners: false,
    rendererOptions: { collapseErrors: false },
  });
  try {
    await list.run(state);
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
