import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KbackportError } from "../errors.js";
import { stripComments } from "../c/tokenize.js";
import { KERNEL_APIS, type KernelApi } from "./api.js";
import { statSignature } from "../source/stat-memo.js";
import { cachedProbe, type Probed } from "./probe-cache.js";
import type { KernelTarget } from "./target.js";

/** Whether a target has one API, and the proof: the header line that defines it, or where it was sought. */
export interface Feature {
  id: string;
  present: boolean;
  /** "include/linux/delay.h:58: static inline void fsleep(unsigned long usecs)", or what was searched. */
  evidence: string;
  /** Mainline release that brought the API. */
  introduced: string;
  /** What the version number alone would say: stable and vendor kernels often disagree. */
  byVersion: boolean;
  /** Set when --assume-missing overrode a probe that found the API. */
  assumedMissing?: boolean;
}

export type Features = ReadonlyMap<string, Feature>;

/** Checks --assume-missing names against the knowledge base, before anything is fetched. */
export function checkFeatureIds(assumeMissing: readonly string[]): void {
  const unknown = assumeMissing.filter((id) => !KERNEL_APIS.some((api) => api.id === id));
  if (unknown.length > 0) {
    throw new KbackportError(`--assume-missing: unknown feature ${unknown.map((u) => `'${u}'`).join(", ")}`, {
      hint: `known features: ${KERNEL_APIS.map((a) => a.id).join(", ")}`,
    });
  }
}

/**
 * Probes every API of the knowledge base in the target's own headers; with a cache directory, a target
 * probed before is answered from the cache unless one of the headers looked at changed.
 */
export async function probeFeatures(
  target: KernelTarget,
  assumeMissing: readonly string[] = [],
  cacheDir?: string,
): Promise<Features> {
  checkFeatureIds(assumeMissing);
  const probed = cacheDir
    ? await cachedProbe(target, cacheDir, () => probeTarget(target))
    : (await probeTarget(target)).features;
  const features = new Map<string, Feature>();
  for (const found of probed) {
    if (found.present && assumeMissing.includes(found.id)) {
      features.set(found.id, {
        ...found,
        present: false,
        assumedMissing: true,
        evidence: `assumed missing; probe found ${found.evidence}`,
      });
    } else {
      features.set(found.id, found);
    }
  }
  return features;
}

/** Probes the target's headers; semver, for what the version alone would say, is loaded only here. */
async function probeTarget(target: KernelTarget): Promise<Probed> {
  const { coerce, gte } = await import("semver");
  const version = coerce(target.version);
  const byVersion = (api: KernelApi) => version !== null && gte(version, coerce(api.introduced)!);
  // Several APIs live in one header: each is read and stripped of comments once.
  const headers = new Map<string, string>();
  const looked = new Map<string, string>();
  const exists = (path: string) => {
    const stat = looked.get(path) ?? statSignature(path);
    looked.set(path, stat);
    return stat !== "-";
  };
  const read = (path: string) => {
    if (!headers.has(path)) headers.set(path, stripComments(readFileSync(path, "utf8")));
    return headers.get(path)!;
  };
  const features = KERNEL_APIS.map((api) => probe(target, api, byVersion(api), exists, read));
  return { features, looked: [...looked.keys()], stats: [...looked.values()] };
}

function probe(
  target: KernelTarget,
  api: KernelApi,
  byVersion: boolean,
  exists: (path: string) => boolean,
  read: (path: string) => string,
): Feature {
  const known = { id: api.id, introduced: api.introduced, byVersion };
  const roots = [...new Set([target.dir, target.sourceDir])];
  const searched: string[] = [];
  // The first header that exists decides: later ones are where older kernels kept the API.
  for (const header of api.headers) {
    if (searched.length > 0) break;
    for (const root of roots) {
      const path = join(root, header);
      if (!exists(path)) continue;
      searched.push(header);
      const text = read(path);
      const m = api.pattern.exec(text);
      if (m) {
        // The end of the match is the line that shows the API (the member, not the struct's first line).
        const line = text.slice(0, m.index + m[0].length).split("\n").length;
        const lineText = text.split("\n")[line - 1]!.trim();
        return { ...known, present: true, evidence: `${header}:${line}: ${lineText}` };
      }
      break;
    }
  }
  const where =
    searched.length > 0 ? `not found in ${searched.join(", ")}` : `none of ${api.headers.join(", ")} exist`;
  return { ...known, present: false, evidence: where };
}
