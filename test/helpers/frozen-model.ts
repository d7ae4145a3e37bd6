import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { readFrozenModels, type FrozenModel } from "../../src/model/frozen.js";

/** The shipped recipe's frozen models. */
export const SHIPPED_MODELS = join(import.meta.dirname, "../../recipes/models/mhi-wwan");

/** The blob id of each path at a commit of a repository, null where the commit has no such file. */
export function blobIds(
  repo: string,
  commit: string,
  paths: readonly string[],
): Record<string, string | null> {
  const out = execFileSync("git", ["-C", repo, "ls-tree", "-z", commit, "--", ...paths], {
    encoding: "utf8",
  });
  const ids: Record<string, string | null> = Object.fromEntries(paths.map((p) => [p, null]));
  for (const entry of out.split("\0").filter(Boolean)) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (m) ids[m[2]!] = m[1]!;
  }
  return ids;
}

/** The shipped frozen model whose every file the commit holds byte for byte (git's own blob ids say so). */
export function frozenModelAt(repo: string, commit: string): { file: string; frozen: FrozenModel } {
  const matches = readFrozenModels(SHIPPED_MODELS).filter(({ frozen }) => {
    const ids = blobIds(repo, commit, Object.keys(frozen.files));
    const files = Object.entries(frozen.files);
    return files.length > 0 && files.every(([path, id]) => ids[path] === id);
  });
  if (matches.length !== 1) throw new Error(`${matches.length} frozen models match ${commit} of ${repo}`);
  return matches[0]!;
}
