import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { loadRecipe } from "../recipe/load.js";
import { selectComponents } from "../recipe/select.js";
import type { RunReport } from "../report.js";
import { cacheRoot } from "../source/cache.js";
import { fetchRequests } from "../source/requests.js";
import { fetchSource } from "../source/sparse-fetch.js";
import { RULE_IDS } from "../transform/rules/index.js";
import { modelAtPins } from "./at-pins.js";
import { MODEL_HEADERS } from "./derive.js";
import { frozenModelOfRun, pinsText, runPins, type FrozenModel } from "./frozen.js";
import { shownPath } from "./shown-path.js";
import type { DriverModel } from "./types.js";

/** The reference model of a run and where it comes from. */
export type RunModel =
  | { model: DriverModel; origin: "frozen"; file: string; frozen: FrozenModel }
  | { model: DriverModel; origin: "derived"; pins: { source: string; commit: string }[] };

/**
 * The model validate, the VM check and packaging hold a run to: the frozen one whose files the run's pins
 * hold, else the model derived at the run's pins (from the cache; the network only for what it lacks).
 */
export async function runModel(
  report: RunReport,
  opts: { cacheDir: string; offline: boolean } = { cacheDir: cacheRoot(), offline: false },
): Promise<RunModel> {
  const found = frozenModelOfRun(report);
  if (found) return { model: found.frozen.model, origin: "frozen", ...found };
  const sources = await wholeRecipeSources(report, opts.cacheDir, opts.offline);
  const { model } = await modelAtPins({ ...report, sources }, opts.cacheDir, opts.offline);
  return { model, origin: "derived", pins: sources.map((s) => ({ source: s.name, commit: s.commit })) };
}

/** How validate and packaging name the model: the frozen file and its pins, or the pins it was derived at. */
export function describeRunModel(ref: RunModel, report: RunReport): string {
  if (ref.origin === "derived")
    return `derived at the run's pins (${pinsText(ref.pins)}); no frozen model to compare with`;
  const at = pinsText(ref.frozen.pins);
  const same = at === pinsText(runPins(report)) ? "" : "; the run's pins hold the same files";
  return `${shownPath(ref.file)} (frozen at ${at}${same})`;
}

/**
 * The sources the model is derived from: the model is of the whole recipe, so a run of some of its
 * components (--components, --duplicates skip) takes the other components' paths at the same pins too.
 */
async function wholeRecipeSources(
  report: RunReport,
  cacheDir: string,
  offline: boolean,
): Promise<RunReport["sources"]> {
  const file = report.recipe?.file;
  if (!file || !existsSync(file)) return report.sources;
  const recipe = await loadRecipe(file, RULE_IDS, cacheDir);
  if (Object.keys(recipe.data.components).every((c) => report.components.includes(c))) return report.sources;
  const pins = report.sources.map((s) => ({ name: s.name, location: s.url, commit: s.commit }));
  const requests = fetchRequests(recipe, selectComponents(recipe), pins, dirname(file));
  const sources: RunReport["sources"] = [];
  for (const req of requests) {
    const tree = await fetchSource({ ...req, recordIds: MODEL_HEADERS }, cacheDir, offline);
    const { name, url, commit, dir, cached, committed, subject, files, recorded } = tree;
    sources.push({
      name,
      url,
      commit,
      dir,
      paths: [...tree.paths],
      cached,
      committed,
      subject,
      files,
      recorded,
    });
  }
  return sources;
}
