import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { TestProject } from "vitest/node";
import { source612Tarball, source61Tarball } from "./helpers/debian.js";

declare module "vitest" {
  export interface ProvidedContext {
    /**
     * A local git repository playing upstream: Debian's linux-source-6.1, then linux-source-6.12 on top.
     * `commit` is the newest (6.12); `commits` maps each tag (v6.1.192, v6.12.117) to its commit.
     */
    upstream: { repo: string; commit: string; tag: string; commits: Record<string, string> };
  }
}

const ROOT = join(import.meta.dirname, "..");

/** Builds the CLI once and the upstream fixture (reused across runs while the tarball is unchanged). */
export default async function setup(project: TestProject) {
  await execa("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  const { stdout } = await execa(join(ROOT, "scripts/upstream-from-debian.sh"), [
    repo,
    source61Tarball(),
    source612Tarball(),
  ]);
  const commits = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split(" ") as [string, string]),
  );
  const [tag, commit] = Object.entries(commits).at(-1)!;
  project.provide("upstream", { repo, commit, tag, commits });
}
