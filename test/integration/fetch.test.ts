import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { describe, expect, inject, it } from "vitest";
import { fetchSource } from "../../src/source/sparse-fetch.js";
import { tempDir } from "../helpers/cli.js";

const upstream = inject("upstream");
const url = pathToFileURL(upstream.repo).href;
const paths = ["drivers/bus/mhi/common.h", "drivers/bus/mhi/host", "include/linux/mhi.h"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !relative(dir, e.parentPath).startsWith(".git"))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith(".kbackport"));
}

describe("pinned sparse fetch from a local upstream built from Debian's linux-source-6.12", () => {
  const cache = tempDir("fetch-cache");

  it("checks out exactly the recipe's paths at the pinned commit", async () => {
    const tree = await fetchSource({ name: "linux-next", url, commit: upstream.commit, paths }, cache, false);
    expect(tree.cached).toBe(false);
    const files = filesUnder(tree.dir);
    expect(files).toContain("drivers/bus/mhi/host/pci_generic.c");
    expect(files).toContain("include/linux/mhi.h");
    expect(files.every((f) => paths.some((p) => f === p || f.startsWith(`${p}/`)))).toBe(true);
    const head = await execa("git", ["-C", tree.dir, "rev-parse", "HEAD"]);
    expect(head.stdout).toBe(upstream.commit);
    const shallow = await execa("git", ["-C", tree.dir, "rev-parse", "--is-shallow-repository"]);
    expect(shallow.stdout).toBe("true");
    // Blob-less: the only blobs present are the checked-out ones, plus the root .gitattributes git reads.
    const blobs = await execa("sh", [
      "-c",
      `git -C '${tree.dir}' cat-file --batch-all-objects --batch-check | grep -c ' blob '`,
    ]);
    const attributes = await execa("git", ["-C", tree.dir, "ls-tree", "HEAD", "--", ".gitattributes"]);
    expect(Number(blobs.stdout)).toBe(files.length + (attributes.stdout ? 1 : 0));
  });

  it("reuses the cache, and works offline from it", async () => {
    const again = await fetchSource({ name: "linux-next", url, commit: upstream.commit, paths }, cache, true);
    expect(again.cached).toBe(true);
  });

  it("refuses to go online with --offline when the pin is not cached", async () => {
    await expect(
      fetchSource({ name: "linux-next", url, commit: upstream.commit, paths }, tempDir("empty"), true),
    ).rejects.toMatchObject({
      message: expect.stringContaining(`source 'linux-next' at ${upstream.commit} is not in the cache`),
      hint: "run once without --offline to fetch it",
    });
  });

  it("says when the pinned commit is not in the repository", async () => {
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const cacheDir = tempDir("missing-sha");
    await expect(
      fetchSource({ name: "linux-next", url, commit: missing, paths }, cacheDir, false),
    ).rejects.toThrow(`commit ${missing} of source 'linux-next' does not exist in ${url}`);
    expect(readdirSync(cacheDir, { recursive: true }).some((f) => String(f).includes(".tmp-"))).toBe(false);
  });

  it("names the recipe line of a path missing at the pin", async () => {
    const req = {
      name: "linux-next",
      url,
      commit: upstream.commit,
      paths: [...paths, "drivers/bus/mhi/core"],
      whereIs: (p: string) => (p === "drivers/bus/mhi/core" ? "recipes/x.yaml:20:9" : undefined),
    };
    const err = await fetchSource(req, tempDir("missing-path"), false).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: `path 'drivers/bus/mhi/core' does not exist in source 'linux-next' at ${upstream.commit}`,
      where: "recipes/x.yaml:20:9",
    });
    expect(existsSync(join(upstream.repo, "drivers/bus/mhi/host"))).toBe(true);
  });
});
