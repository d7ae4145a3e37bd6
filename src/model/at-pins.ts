import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../report.js";
import { fetchSource } from "../source/sparse-fetch.js";
import { deriveModelReading, MODEL_HEADERS } from "./derive.js";
import { requirePinRecords } from "./frozen.js";
import { locatePinFile, pinFileId } from "./pin-files.js";
import type { DriverModel } from "./types.js";

/** A model derived at a run's pins, with the blob id of every file it rests on (null: absent there). */
export interface PinnedModel {
  model: DriverModel;
  files: Record<string, string | null>;
}

/**
 * The reference model derived at a run's pins: the files it fetched, plus the kernel headers the model
 * reads besides (fetched the same sparse way, only where the pin has them).
 */
export async function modelAtPins(
  report: RunReport,
  cacheDir: string,
  offline: boolean,
): Promise<PinnedModel> {
  requirePinRecords(report);
  // Each header is read from one source (the first whose pin has it): fetch it from that one only.
  const headerDirs = new Map<string, string>();
  for (const s of report.sources) {
    const paths = MODEL_HEADERS.filter((p) => {
      const at = locatePinFile(report.sources, p);
      return at && !at.fetched && at.source.name === s.name;
    });
    if (paths.length === 0) continue;
    const tree = await fetchSource({ name: s.name, url: s.url, commit: s.commit, paths }, cacheDir, offline);
    headerDirs.set(s.name, tree.dir);
  }
  const { model, paths } = deriveModelReading((path) => {
    const at = locatePinFile(report.sources, path);
    if (!at) return undefined;
    return readFileSync(join(at.fetched ? at.source.dir : headerDirs.get(at.source.name)!, path), "utf8");
  });
  return { model, files: Object.fromEntries(paths.map((p) => [p, pinFileId(report.sources, p) ?? null])) };
}
