import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";

/** kbackport's cache root: $KBACKPORT_CACHE_DIR, else $XDG_CACHE_HOME/kbackport, else ~/.cache/kbackport. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KBACKPORT_CACHE_DIR) return env.KBACKPORT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kbackport");
}

export function digest(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part).update("\0");
  return h.digest("hex");
}
