import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: above dist/ when built, above src/ when run from sources. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PATCHES_DIR = join(PACKAGE_ROOT, "patches");

export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;

let tool: string | undefined;

/** A digest of kbackport's own code and patches: a changed rule invalidates cached outputs and probes. */
export function toolDigest(): string {
  tool ??= codeDigest();
  return tool;
}

function codeDigest(): string {
  const codeDir = dirname(fileURLToPath(import.meta.url));
  // The bytes as they are, each file after its name and size: decoding the 2 MB bundle cost more than hashing it.
  const h = createHash("sha256").update(`${VERSION}\0`);
  // Code only beside the bundle: not its source map, nor the compile cache that changes after a run.
  for (const [root, include] of [
    [codeDir, (name: string) => /\.(c?js|ts)$/.test(name)],
    [PATCHES_DIR, () => true],
  ] as const) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !include(entry.name)) continue;
      const path = join(entry.parentPath, entry.name);
      const bytes = readFileSync(path);
      h.update(`${path.slice(root.length)}\0${bytes.length}\0`)
        .update(bytes)
        .update("\0");
    }
  }
  return h.digest("hex");
}
