import { homedir } from "node:os";
import { basename, join } from "node:path";
import { execa } from "execa";
import type { TestProject } from "vitest/node";
import { source612Tarball, source61Tarball } from "./helpers/debian.js";

declare module "vitest" {
  export interface ProvidedContext {
    /**
     * A local git repository playing upstream: Debian's linux-source-6.1, then linux-source-6.12 on top.
     * `commit` is the newest (6.12); `commits` maps each tag (v6.1.192, v6.12.118, ...) to its commit.
     * Commit ids change with every Debian update of those packages: tests find what belongs to a commit
     * by the contents of its files. `debian` names the packages and versions it was built from.
     */
    upstream: {
      repo: string;
      commit: string;
      tag: string;
      commits: Record<string, string>;
      debian: string[];
    };
  }
}

const ROOT = join(import.meta.dirname, "..");

/** "<package> <version>" of the Debian package that installed a tarball, for the test log. */
async function debianPackage(tarball: string): Promise<string> {
  const pkg = basename(tarball).replace(/\.tar\.xz$/, "");
  const r = await execa("dpkg-query", ["-W", "-f=${Version}", pkg], { reject: false });
  return r.exitCode === 0 && r.stdout ? `${pkg} ${r.stdout}` : `${tarball} (not from a Debian package)`;
}

/** Builds the CLI once and the upstream fixture (reused across runs while the tarball is unchanged). */
export default async function setup(project: TestProject) {
  await execa("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  const tarballs = [source61Tarball(), source612Tarball()];
  const { stdout } = await execa(join(ROOT, "scripts/upstream-from-debian.sh"), [repo, ...tarballs]);
  const commits = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split(" ") as [string, string]),
  );
  const [tag, commit] = Object.entries(commits).at(-1)!;
  const debian = await Promise.all(tarballs.map(debianPackage));
  console.log(
    `upstream fixture ${repo} from Debian's ${debian.join(", ")}: ${Object.entries(commits)
      .map(([t, c]) => `${t} ${c.slice(0, 12)}`)
      .join(", ")}`,
  );
  project.provide("upstream", { repo, commit, tag, commits, debian });
}
