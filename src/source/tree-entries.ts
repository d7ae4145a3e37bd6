import type { SimpleGit } from "simple-git";
import { KbackportError } from "../errors.js";
import type { FetchRequest } from "./sparse-fetch.js";

/** One entry of `git ls-tree -z`: mode, object type, object id, path. */
export interface TreeEntry {
  mode: string;
  type: string;
  id: string;
  path: string;
}

export function parseLsTree(out: string): TreeEntry[] {
  return out.split("\0").flatMap((line) => {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line);
    return m ? [{ mode: m[1]!, type: m[2]!, id: m[3]!, path: m[4]! }] : [];
  });
}

/** What a git mode is, when it is not plain data. */
function foreignKind(mode: string): string | undefined {
  if (mode === "100644" || mode === "100755" || mode === "040000") return undefined;
  if (mode === "120000") return "a symbolic link";
  if (mode === "160000") return "a gitlink (submodule)";
  return `an entry of git mode ${mode}`;
}

/**
 * Upstream content is data: every entry at and below the recipe's paths, and every directory above them,
 * must be a regular file or a directory at the pin. A link could make a build read or write outside the
 * tree, a gitlink would bring another repository. Reads trees only: no blob is fetched. Returns each
 * recipe path's object type and the blob id of every file, which the cache checks its copy against.
 */
export async function checkTreeEntries(
  g: SimpleGit,
  req: FetchRequest,
): Promise<{ kinds: Map<string, string>; files: Record<string, string> }> {
  const parents = [...new Set(req.paths.flatMap(parentsOf))];
  if (parents.length > 0) {
    for (const e of parseLsTree(await g.raw(["ls-tree", "-z", req.commit, "--", ...parents]))) {
      // Listing a directory and one below it also lists the first one's entries: only the parents count.
      if (e.mode === "040000" || !parents.includes(e.path)) continue;
      const path = req.paths.find((p) => p.startsWith(`${e.path}/`))!;
      throw refusal(req, e, path, `'${e.path}', a parent of the recipe path '${path}',`);
    }
  }
  const kinds = new Map<string, string>();
  for (const e of parseLsTree(await g.raw(["ls-tree", "-z", req.commit, "--", ...req.paths]))) {
    kinds.set(e.path, e.type);
  }
  const missing = req.paths.find((p) => !kinds.has(p));
  if (missing !== undefined) {
    throw new KbackportError(`path '${missing}' does not exist in source '${req.name}' at ${req.commit}`, {
      where: req.whereIs?.(missing),
      hint: "upstream moved or removed it: fix the path in the recipe or pin another commit",
    });
  }
  const below = await g.raw(["ls-tree", "-r", "-t", "-z", req.commit, "--", ...req.paths]);
  const files: Record<string, string> = {};
  for (const e of parseLsTree(below)) {
    if (!foreignKind(e.mode)) {
      if (e.type === "blob") files[e.path] = e.id;
      continue;
    }
    const path = req.paths.find((p) => e.path === p || e.path.startsWith(`${p}/`))!;
    throw refusal(
      req,
      e,
      path,
      e.path === path ? `the recipe path '${path}'` : `'${e.path}' (under the recipe path '${path}')`,
    );
  }
  return { kinds, files };
}

function parentsOf(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

function refusal(req: FetchRequest, e: TreeEntry, recipePath: string, subject: string): KbackportError {
  return new KbackportError(
    `source '${req.name}' at ${req.commit}: ${subject} is ${foreignKind(e.mode) ?? "not a directory"}; fetched trees may hold only regular files and directories`,
    {
      where: req.whereIs?.(recipePath),
      hint: "kbackport never follows links or submodules out of a fetched tree: take the path from a tree that holds the files themselves",
    },
  );
}
