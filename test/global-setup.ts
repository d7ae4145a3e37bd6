import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { TestProject } from "vitest/node";
import { source612Tarball } from "./helpers/debian.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A local git repository playing upstream, built from Debian's linux-source-6.12. */
    upstream: { repo: string; commit: string; tag: string };
  }
}

const ROOT = join(import.meta.dirname, "..");

/** Builds the CLI once and the upstream fixture (reused across runs while the tarball is unchanged). */
export default async function setup(project: TestProject) {
  await execa("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  const { stdout } = await execa(join(ROOT, "scripts/upstream-from-debian.sh"), [repo, source612Tarball()]);
  const [tag, commit] = stdout.trim().split("\n").at(-1)!.split(" ") as [string, string];
  project.provide("upstream", { repo, commit, tag });
}
