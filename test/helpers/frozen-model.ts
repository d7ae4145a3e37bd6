import { execFileSync } from "node:child_process";
import { basename, join } from "node:path";
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

export interface ShippedModel {
  file: string;
  frozen: FrozenModel;
  /** The model's files whose content at the commit is not the content it was derived from. */
  differs: string[];
}

/** Every shipped frozen model against a commit, nearest first (fewest files that differ). */
export function shippedModelsAgainst(repo: string, commit: string): ShippedModel[] {
  return readFrozenModels(SHIPPED_MODELS)
    .map(({ file, frozen }) => {
      const ids = blobIds(repo, commit, Object.keys(frozen.files));
      const differs = Object.entries(frozen.files)
        .filter(([path, id]) => ids[path] !== id)
        .map(([path]) => path);
      return { file, frozen, differs };
    })
    .sort((a, b) => a.differs.length - b.differs.length);
}

/** A commit's subject: the fixture's commits name the Debian tarball and the kernel version they hold. */
export const subjectOf = (repo: string, commit: string) =>
  execFileSync("git", ["-C", repo, "log", "-1", "--format=%s", commit], { encoding: "utf8" }).trim();

/**
 * The shipped frozen model whose every file the commit holds byte for byte (git's own blob ids say so, as
 * kbackport matches a run to its model). Without one, the error names the nearest model and the files that
 * changed: a Debian update that touches the drivers' files needs a new model, reviewed.
 */
export function frozenModelAt(repo: string, commit: string): { file: string; frozen: FrozenModel } {
  const all = shippedModelsAgainst(repo, commit);
  const matches = all.filter((m) => Object.keys(m.frozen.files).length > 0 && m.differs.length === 0);
  if (matches.length === 1) return matches[0]!;
  const at = `${commit.slice(0, 12)} (${subjectOf(repo, commit)}) of ${repo}`;
  if (matches.length > 1)
    throw new Error(
      `${matches.length} shipped frozen models match ${at}: ${matches.map((m) => basename(m.file)).join(", ")}`,
    );
  const nearest = all[0];
  throw new Error(
    nearest
      ? `no shipped frozen model matches ${at}: the nearest, ${basename(nearest.file)}, was derived from other contents of ${nearest.differs.join(", ")}`
      : `no shipped frozen model in ${SHIPPED_MODELS}`,
  );
}
