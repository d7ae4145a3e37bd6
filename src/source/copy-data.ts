import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { KbackportError } from "../errors.js";
import type { SourceTree } from "./sparse-fetch.js";

/**
 * Copies one recipe path of a fetched tree into `destRoot`, refusing anything but regular files and
 * directories on the way (the path's parents included): a link planted in the cache is never followed
 * nor copied, so the build reads only the fetched bytes.
 */
export function copySourcePath(source: SourceTree, path: string, destRoot: string): void {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) expectKind(source, parts.slice(0, i).join("/"), "directory");
  copyEntry(source, path, destRoot);
}

// Paths are joined by hand: both sides are normalised (a cache directory, a checked tree path and the
// names readdir gives), and path.join's normalising was a tenth of a cached run's copying.
function copyEntry(source: SourceTree, path: string, destRoot: string): void {
  const kind = expectKind(source, path, "file or directory");
  const to = `${destRoot}/${path}`;
  if (kind === "file") {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(`${source.dir}/${path}`, to);
    // A cache shared read-only (another user's, a CI runner's) must not make the tree read-only.
    const mode = statSync(to).mode;
    if (!(mode & 0o200)) chmodSync(to, mode | 0o200);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(`${source.dir}/${path}`).sort())
    copyEntry(source, `${path}/${name}`, destRoot);
}

function expectKind(source: SourceTree, path: string, wanted: string): "file" | "directory" {
  const st = lstatSync(`${source.dir}/${path}`, { throwIfNoEntry: false });
  if (st?.isDirectory()) return "directory";
  if (st?.isFile() && wanted !== "directory") return "file";
  const found = !st ? "missing" : st.isSymbolicLink() ? "a symbolic link" : `not a ${wanted}`;
  throw new KbackportError(
    `source '${source.name}' at ${source.commit}: '${path}' in the cache is ${found}, not what the pin holds`,
    { hint: `the cache entry ${source.dir} was altered: remove it and run again to fetch the pin afresh` },
  );
}
