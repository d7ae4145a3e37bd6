import { existsSync } from "node:fs";
import { basename } from "node:path";
import { loadRecipe } from "../recipe/load.js";
import { RULE_IDS } from "../transform/rules/index.js";
import type { RunReport } from "../report.js";
import { readRunReport } from "../validate/run-report.js";
import { modelAtPins } from "./at-pins.js";
import { diffModels } from "./diff.js";
import { KbackportError } from "../errors.js";
import { compareFiles, freeze, frozenModelDirs, readFrozenModels, writeFrozenModel } from "./frozen.js";

export interface ModelRunReport {
  pins: { source: string; commit: string; subject?: string }[];
  /** The frozen model whose files the run's pins hold, if any. */
  frozen?: string;
  /** Without a match: the nearest frozen model, the files that differ and how the model moved. */
  nearest?: { file: string; files: string[]; drift: string[] };
  /** Files the model rests on at these pins. */
  files: number;
  written?: string;
}

/**
 * Derives the reference model at a run's pins and finds the frozen model it matches; with `write`,
 * freezes it beside the recipe so validate and packaging accept runs at these pins.
 */
export async function modelForRun(
  runDir: string,
  opts: { write: boolean; cacheDir: string; offline: boolean },
): Promise<ModelRunReport> {
  const report: RunReport = readRunReport(runDir);
  await requireWholeRecipe(report);
  const pinned = await modelAtPins(report, opts.cacheDir, opts.offline);
  const frozen = freeze(report, pinned);
  const candidates = report.recipe ? frozenModelDirs(report.recipe).flatMap(readFrozenModels) : [];
  const scored = candidates
    .map((c) => ({ ...c, ...compareFiles(c.frozen, report.sources) }))
    .sort((a, b) => a.differs.length - b.differs.length || b.compared - a.compared);
  const match = scored.find((c) => c.compared > 0 && c.differs.length === 0);
  const nearest = match ? undefined : scored.find((c) => c.compared > 0);
  return {
    pins: report.sources.map((s) => ({ source: s.name, commit: s.commit, subject: s.subject })),
    files: Object.keys(pinned.files).length,
    ...(match ? { frozen: match.file } : {}),
    ...(nearest
      ? {
          nearest: {
            file: basename(nearest.file),
            files: nearest.differs,
            drift: diffModels(nearest.frozen.model, pinned.model),
          },
        }
      : {}),
    ...(opts.write && report.recipe ? { written: await writeFrozenModel(report.recipe.file, frozen) } : {}),
  };
}

/** The model is of the whole recipe: a run of some of its components has not fetched the rest. */
async function requireWholeRecipe(report: RunReport): Promise<void> {
  if (!report.recipe || !existsSync(report.recipe.file)) return;
  const recipe = await loadRecipe(report.recipe.file, RULE_IDS);
  const left = Object.keys(recipe.data.components).filter((c) => !report.components.includes(c));
  if (left.length > 0) {
    throw new KbackportError(
      `the run took only some of the recipe's components (${report.components.join(", ")}; not ${left.join(", ")}): the reference model is derived from all of them`,
      { hint: "derive it from a run of the whole recipe (without --components)" },
    );
  }
}
