import { execFileSync } from "node:child_process";
import type { TreeReader } from "../../src/model/types.js";

/** Reads files of a git commit without a checkout; a path the commit does not have reads as undefined. */
export function gitTreeReader(repo: string, commit: string): TreeReader {
  return (path) => {
    try {
      return execFileSync("git", ["-C", repo, "show", `${commit}:${path}`], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      return undefined;
    }
  };
}
