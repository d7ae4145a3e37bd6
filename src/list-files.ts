import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

/** Files under a root-relative path (the path itself when it is a file), root-relative and sorted. */
export async function listFiles(root: string, path = ""): Promise<string[]> {
  const entries = await readdir(join(root, path), { withFileTypes: true, recursive: true }).catch(() => null);
  if (entries === null) return [path];
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}
