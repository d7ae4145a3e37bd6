import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../report.js";
import { digest } from "../source/cache.js";
import { derivedDir, readDerived, writeDerived } from "../source/derived.js";
import { fetchSource } from "../source/sparse-fetch.js";
import { sourceUrl } from "../source/url.js";
import { deriveModelReading, MODEL_HEADERS } from "./derive.js";
import { requirePinRecords } from "./frozen.js";
import { locatePinFile, pinFileId, type PinnedSource } from "./pin-files.js";
import type { DriverModel } from "./types.js";

/** A model derived at a run's pins, with the blob id of every file it rests on (null: absent there). */
export interface PinnedModel {
  model: DriverModel;
  files: Record<string, string | null>;
}

/**
 * What a derivation at these pins can read, as git's blob ids: the same ids give the same model, whatever
 * the commits. The paths say which source a file is read from.
 */
export function pinsContentKey(sources: readonly PinnedSource[]): string {
  const sorted = (ids: Record<string, string | null> = {}) =>
    Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : 1));
  return digest(
    JSON.stringify(sources.map((s) => [[...(s.paths ?? [])].sort(), sorted(s.files), sorted(s.recorded)])),
  ).slice(0, 32);
}

/**
 * The reference model derived at a run's pins: the files it fetched, plus the kernel headers the model
 * reads besides (fetched the same sparse way, only where the pin has them). Kept in the cache by the
 * ids of what it was derived from, so the same contents are derived once.
 */
export async function modelAtPins(
  report: RunReport,
  cacheDir: string,
  offline: boolean,
): Promise<PinnedModel> {
  requirePinRecords(report);
  const store = derivedDir(cacheDir, "models");
  const name = `${pinsContentKey(report.sources)}.json`;
  const saved = readDerived(store, name) as Partial<PinnedModel> | undefined;
  if (saved?.model && saved.files) return saved as PinnedModel;
  const pinned = await deriveAtPins(report.sources, cacheDir, offline);
  writeDerived(store, name, JSON.stringify(pinned));
  return pinned;
}

async function deriveAtPins(
  recorded: RunReport["sources"],
  cacheDir: string,
  offline: boolean,
): Promise<PinnedModel> {
  // A run's report is input: its URLs pass the checks a recipe's do before git sees them.
  const sources = recorded.map((s) => ({ ...s, url: sourceUrl(s.url, process.cwd(), "report.json") }));
  // The run's own sources from the cache, checked against their pins (fetched again if damaged or gone).
  const fetchedDirs = new Map<string, string>();
  for (const s of sources) {
    const tree = await fetchSource(
      { name: s.name, url: s.url, commit: s.commit, paths: s.paths! },
      cacheDir,
      offline,
    );
    fetchedDirs.set(s.name, tree.dir);
  }
  // Each header is read from one source (the first whose pin has it): fetch it from that one only.
  const headerDirs = new Map<string, string>();
  for (const s of sources) {
    const paths = MODEL_HEADERS.filter((p) => {
      const at = locatePinFile(sources, p);
      return at && !at.fetched && at.source.name === s.name;
    });
    if (paths.length === 0) continue;
    const tree = await fetchSource({ name: s.name, url: s.url, commit: s.commit, paths }, cacheDir, offline);
    headerDirs.set(s.name, tree.dir);
  }
  const { model, paths } = deriveModelReading((path) => {
    const at = locatePinFile(sources, path);
    if (!at) return undefined;
    const dir = (at.fetched ? fetchedDirs : headerDirs).get(at.source.name)!;
    return readFileSync(join(dir, path), "utf8");
  });
  return { model, files: Object.fromEntries(paths.map((p) => [p, pinFileId(sources, p) ?? null])) };
}
