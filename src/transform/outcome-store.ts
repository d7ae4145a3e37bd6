import { derivedDir, readDerived, writeDerived } from "../source/derived.js";
import type { FileOutcome, OutcomeStore } from "./engine.js";

/**
 * File outcomes in the cache (`<cache>/transform/<tool>/<key>.json`): a run of the same sources meeting
 * the same rules, for this target or another that lacks the same APIs, tokenizes and rewrites nothing.
 */
export function cachedOutcomes(cacheDir: string): OutcomeStore {
  const dir = derivedDir(cacheDir, "transform");
  return {
    get(key) {
      const saved = readDerived(dir, `${key}.json`) as Partial<FileOutcome> | undefined;
      const sound =
        typeof saved?.sites === "object" &&
        saved.sites !== null &&
        Object.values(saved.sites).every((lines) => Array.isArray(lines)) &&
        (saved.text === undefined || typeof saved.text === "string");
      return sound ? (saved as FileOutcome) : undefined;
    },
    set(key, outcome) {
      writeDerived(dir, `${key}.json`, JSON.stringify(outcome));
    },
  };
}
