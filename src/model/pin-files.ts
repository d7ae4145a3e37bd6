import type { RunReport } from "../report.js";

/** A run's record of one source at its pin: what it fetched and the ids of the files it read besides. */
export type PinnedSource = Pick<
  RunReport["sources"][number],
  "name" | "commit" | "dir" | "paths" | "files" | "recorded"
>;

/**
 * Where a derivation at a run's pins reads a file: from the source that fetched it (its paths hold the
 * file's place), else from the first source whose pin has it among the recorded headers. Undefined: no
 * source has it, so the derivation sees no such file.
 */
export function locatePinFile(
  sources: readonly PinnedSource[],
  path: string,
): { source: PinnedSource; fetched: boolean; id: string } | undefined {
  const fetcher = sources.find((s) => (s.paths ?? []).some((p) => path === p || path.startsWith(`${p}/`)));
  if (fetcher) {
    const id = fetcher.files?.[path];
    return id ? { source: fetcher, fetched: true, id } : undefined;
  }
  for (const source of sources) {
    const id = source.recorded?.[path];
    if (id) return { source, fetched: false, id };
  }
  return undefined;
}

/**
 * The blob id a run's pins give a path: null when the pins have no such file, undefined when the run
 * neither fetched nor recorded that place (a run of some components only).
 */
export function pinFileId(sources: readonly PinnedSource[], path: string): string | null | undefined {
  const at = locatePinFile(sources, path);
  if (at) return at.id;
  const known =
    sources.some((s) => (s.paths ?? []).some((p) => path === p || path.startsWith(`${p}/`))) ||
    sources.some((s) => s.recorded && path in s.recorded);
  return known ? null : undefined;
}
