import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { digest } from "./source/cache.js";

/** The package root: above dist/ when built, above src/ when run from sources. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PATCHES_DIR = join(PACKAGE_ROOT, "patches");

export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;

/** A digest of kbackport's own code and patches: a changed rule invalidates cached outputs. */
export function toolDigest(): string {
  const codeDir = dirname(fileURLToPath(import.meta.url));
  const parts: string[] = [VERSION];
  for (const root of [codeDir, PATCHES_DIR]) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith(".map")) continue;
      const path = join(entry.parentPath, entry.name);
      parts.push(path.slice(root.length), String(statSync(path).size), readFileSync(path, "latin1"));
    }
  }
  return digest(...parts);
}
