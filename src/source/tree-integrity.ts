import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";

/** Git's id of a blob: SHA-1 over "blob <size>\0" and the content, so a file can be checked without git. */
export function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/**
 * The first way the work tree's recipe paths differ from the pin's files (blob ids recorded from the
 * pin's trees at fetch), or undefined when they hold exactly those files with exactly those bytes.
 */
export function workTreeMismatch(
  dir: string,
  paths: readonly string[],
  files: Readonly<Record<string, string>>,
): string | undefined {
  const seen = new Set<string>();
  const visit = (path: string): string | undefined => {
    // The entry's directory and the recipe's normalised paths: joined by hand, as path.join is slow here.
    const full = `${dir}/${path}`;
    const stat = lstatSync(full, { throwIfNoEntry: false });
    if (!stat) return `${path} is missing`;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(full).sort()) {
        const problem = visit(`${path}/${entry}`);
        if (problem) return problem;
      }
      return undefined;
    }
    if (!stat.isFile()) return `${path} is not a regular file`;
    const id = files[path];
    if (!id) return `${path} is not in the pinned commit`;
    seen.add(path);
    if (gitBlobId(readFileSync(full)) !== id) return `${path} differs from the pinned commit`;
    return undefined;
  };
  for (const path of paths) {
    const problem = visit(path);
    if (problem) return problem;
  }
  const missing = Object.keys(files).find((f) => !seen.has(f));
  return missing === undefined ? undefined : `${missing} is missing`;
}
