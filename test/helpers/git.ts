import { execFileSync } from "node:child_process";

/** `git commit` in a test repository, with an identity of its own; returns the new commit id. */
export function commit(repo: string, ...args: string[]): string {
  execFileSync("git", [
    "-C",
    repo,
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@kbackport.invalid",
    "commit",
    "-q",
    ...args,
  ]);
  return execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
}
