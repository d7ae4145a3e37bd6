import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Files under a root-relative path (the path itself when it is a file), root-relative and sorted. Read
 * synchronously: a tree of a few hundred files is listed faster than the thread pool answers.
 */
export function listFiles(root: string, path = ""): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, path), { withFileTypes: true, recursive: true });
  } catch {
    return [path];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}
