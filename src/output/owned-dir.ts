import { accessSync, constants, existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { KbackportError } from "../errors.js";
import { systemFault } from "../faults.js";

/** The file that marks a directory as written by kbackport: only such a directory is ever replaced or removed. */
export const OUTPUT_MARKER = ".kbackport-output";

/** A directory an output must keep clear of: it may not be, contain or sit inside it. */
export interface ProtectedDir {
  dir: string;
  /** What it is, for messages: "the kernel tree", "the recipe's folder", ... */
  what: string;
  /** Sub-directories where outputs are welcome (the project's own `out/`). */
  allowInside?: string[];
}

export async function markOutput(dir: string, kind: string): Promise<void> {
  await writeFile(join(dir, OUTPUT_MARKER), `${JSON.stringify({ kbackport: kind })}\n`);
}

/** A real directory (not a link) that holds kbackport's marker. */
export function isKbackportOutput(dir: string): boolean {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  return (
    st?.isDirectory() === true &&
    lstatSync(join(dir, OUTPUT_MARKER), { throwIfNoEntry: false })?.isFile() === true
  );
}

/**
 * Refuses, before any work, an output directory whose replacement would lose what kbackport did not
 * write: an existing directory without the marker (an empty one loses nothing), a file or link in its
 * place, the same for `<out>.failed`, and any output that is, holds or sits in a protected directory.
 */
export function checkOutputDir(outDir: string, protectedDirs: readonly ProtectedDir[], flag?: string): void {
  const out = canonical(outDir);
  const where = flag;
  const clashes = protectedDirs.flatMap((p) => {
    if (!existsSync(p.dir)) return [];
    const dir = canonical(p.dir);
    const relation =
      out === dir ? "is" : isInside(out, dir) ? "is inside" : isInside(dir, out) ? "contains" : undefined;
    if (!relation) return [];
    if (relation === "is inside" && (p.allowInside ?? []).some((a) => isInside(out, canonical(a)))) return [];
    return [{ ...p, relation }];
  });
  // "is X" says more than "contains Y" (the project contains the recipe's folder).
  const clash = clashes.find((c) => c.relation === "is") ?? clashes[0];
  if (clash) {
    throw new KbackportError(
      `the output directory ${outDir} ${clash.relation} ${clash.what} (${clash.dir})`,
      {
        where,
        hint: "an output replaces its directory as a whole: choose a directory outside it",
      },
    );
  }
  for (const path of [outDir, `${outDir}.failed`]) refuseForeign(path, path === outDir ? where : undefined);
  checkWritableParent(outDir, where);
}

/** The output is made beside itself and renamed into place: its parent (or the nearest that exists) must be writable. */
function checkWritableParent(outDir: string, where: string | undefined): void {
  let parent = dirname(resolve(outDir));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
  } catch (err) {
    const fault = systemFault(err, `the output directory ${outDir} cannot be written`);
    if (!fault) throw err;
    throw new KbackportError(fault.message, { where, hint: fault.hint, cause: err });
  }
}

function refuseForeign(path: string, where: string | undefined): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return;
  const role = path.endsWith(".failed") ? "where a failed run is kept" : "the output directory";
  const hint = "choose a new or empty directory, or one an earlier kbackport run wrote";
  if (st.isSymbolicLink())
    throw new KbackportError(`${path} (${role}) is a symbolic link; kbackport does not write through links`, {
      where,
      hint,
    });
  if (!st.isDirectory())
    throw new KbackportError(`${path} (${role}) is a file that is not kbackport's; it would be replaced`, {
      where,
      hint,
    });
  if (isKbackportOutput(path)) return;
  const entries = readdirSync(path).sort();
  if (entries.length === 0) return;
  const shown =
    entries.slice(0, 5).join(", ") + (entries.length > 5 ? `, ... (${entries.length} entries)` : "");
  throw new KbackportError(
    `${path} (${role}) exists and was not written by kbackport (no ${OUTPUT_MARKER}): replacing it would lose ${shown}`,
    { where, hint },
  );
}

/** The real path of the longest existing ancestor, with the rest appended: links cannot hide a relation. */
function canonical(path: string): string {
  const abs = resolve(path);
  let existing = abs;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = existsSync(existing) ? realpathSync(existing) : existing;
  return join(real, relative(existing, abs));
}

function isInside(path: string, dir: string): boolean {
  return path !== dir && (path + sep).startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * What no output of a command may be, hold or sit in, whatever its target: the recipe's folder, the cache,
 * and kbackport itself (its `out/` folder, the default place for outputs, excepted).
 */
export function commandDirs(recipeFile: string, cacheDir: string, packageRoot: string): ProtectedDir[] {
  return [
    { dir: dirname(recipeFile), what: "the recipe's folder" },
    { dir: cacheDir, what: "kbackport's cache" },
    { dir: packageRoot, what: "kbackport itself", allowInside: [join(packageRoot, "out")] },
  ];
}

/** Names kbackport gives its temporary siblings of an output directory; the writer's pid and a random part follow. */
export function siblingPrefix(outDir: string, kind: "tmp" | "old"): string {
  return join(dirname(outDir), `.${basename(outDir)}.${kind}-`);
}
