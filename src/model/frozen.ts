import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { KbackportError } from "../errors.js";
import type { RunReport } from "../report.js";
import { PACKAGE_ROOT } from "../version.js";
import type { PinnedModel } from "./at-pins.js";
import { DriverModelShape } from "./shape.js";
import { pinFileId } from "./pin-files.js";
import type { DriverModel } from "./types.js";

/**
 * A reference model frozen at a set of pins: generated data that names those pins and the blob id of every
 * file it was derived from. A run's model is the frozen one whose files its own pins hold byte for byte,
 * so a model applies to every pin with the same driver sources and to no other; a run at other contents
 * has its model derived at its pins (run-model.ts).
 */
export interface FrozenModel {
  frozenModel: 1;
  recipe: string;
  pins: { source: string; commit: string; subject: string }[];
  files: Record<string, string | null>;
  model: DriverModel;
}

const FrozenModelShape = z.object({
  frozenModel: z.literal(1),
  recipe: z.string(),
  pins: z.array(z.object({ source: z.string(), commit: z.string(), subject: z.string() })),
  files: z.record(z.string(), z.string().nullable()),
  model: DriverModelShape,
});

/** Frozen models live beside their recipe, in models/<recipe name>/, and kbackport ships its recipes' own. */
export function frozenModelDirs(recipe: { file: string; name: string }): string[] {
  const dirs = [
    join(dirname(recipe.file), "models", recipe.name),
    join(PACKAGE_ROOT, "recipes", "models", recipe.name),
  ];
  return [...new Set(dirs)];
}

/** The file a model frozen at these pins is written to: named by the pins. */
export function frozenModelFile(dir: string, pins: FrozenModel["pins"]): string {
  return join(dir, `${pins.map((p) => `${p.source}-${p.commit.slice(0, 12)}`).join("_")}.json`);
}

export function readFrozenModels(dir: string): { file: string; frozen: FrozenModel }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const refuse = (why: string) =>
        new KbackportError(`${file} is not a frozen model kbackport can read: ${why}`, {
          hint: "regenerate it with `kbackport model RUN --write` from a run at its pins",
        });
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, "utf8"));
      } catch (err) {
        throw refuse(err instanceof Error ? err.message : String(err));
      }
      const parsed = FrozenModelShape.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw refuse(`${issue.path.join(".") || "(top)"}: ${issue.message}`);
      }
      return { file, frozen: parsed.data as FrozenModel };
    });
}

/**
 * The frozen model's files the run's pins know (fetched or recorded), and those whose blob id there
 * differs. A run of some components knows only their files: the model of the rest does not concern it.
 */
export function compareFiles(
  frozen: FrozenModel,
  sources: RunReport["sources"],
): { compared: number; differs: string[] } {
  const known = Object.entries(frozen.files).flatMap(([path, id]) => {
    const at = pinFileId(sources, path);
    return at === undefined ? [] : [{ path, same: at === id }];
  });
  return { compared: known.length, differs: known.filter((k) => !k.same).map((k) => k.path) };
}

/** A run made before its pins recorded their files' ids cannot be matched to a model. */
export function requirePinRecords(report: RunReport): void {
  if (report.sources.some((s) => !s.files || !s.recorded || !s.paths)) {
    throw new KbackportError("the run records no file ids of its pins (made by an older kbackport)", {
      hint: "run it again with this kbackport",
    });
  }
}

/** Pins as messages name them: `linux-next adc218676eef, net-next dd7207838d38`. */
export const pinsText = (pins: readonly { source: string; commit: string }[]) =>
  pins.map((p) => `${p.source} ${p.commit.slice(0, 12)}`).join(", ");

export const runPins = (report: RunReport) =>
  report.sources.map((s) => ({ source: s.name, commit: s.commit }));

/** The frozen model whose files the run's pins hold byte for byte (the one resting on most of them), if any. */
export function frozenModelOfRun(report: RunReport): { file: string; frozen: FrozenModel } | undefined {
  if (!report.recipe) throw new KbackportError("the run names no recipe, so it has no reference model");
  requirePinRecords(report);
  return frozenModelDirs(report.recipe)
    .flatMap(readFrozenModels)
    .map((c) => ({ ...c, ...compareFiles(c.frozen, report.sources) }))
    .filter((c) => c.compared > 0 && c.differs.length === 0)
    .sort((a, b) => b.compared - a.compared)
    .map(({ file, frozen }) => ({ file, frozen }))[0];
}

/** A frozen model of a run's pins, as written to models/<recipe>/. */
export function freeze(report: RunReport, pinned: PinnedModel): FrozenModel {
  return {
    frozenModel: 1,
    recipe: report.recipe!.name,
    pins: report.sources.map((s) => ({ source: s.name, commit: s.commit, subject: s.subject ?? "" })),
    files: pinned.files,
    model: pinned.model,
  };
}

/**
 * Writes a frozen model beside its recipe, replacing only a frozen model (never a file of the user's), via a
 * temporary file renamed into place. Returns the path written.
 */
export async function writeFrozenModel(recipeFile: string, frozen: FrozenModel): Promise<string> {
  const dir = frozenModelDirs({ file: recipeFile, name: frozen.recipe })[0]!;
  const file = frozenModelFile(dir, frozen.pins);
  if (existsSync(file)) {
    const ours = (() => {
      try {
        return FrozenModelShape.safeParse(JSON.parse(readFileSync(file, "utf8"))).success;
      } catch {
        return false;
      }
    })();
    if (!ours)
      throw new KbackportError(`${file} exists and is not a frozen model: not replacing it`, {
        hint: "move it away, then freeze the model again",
      });
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(frozen, null, 2)}\n`);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return file;
}
