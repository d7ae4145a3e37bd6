import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { describe, expect, inject, it } from "vitest";
import { fetchSource, sourceCacheDir } from "../../src/source/sparse-fetch.js";
import { kbackport, tempDir } from "../helpers/cli.js";
import { fixtureSources } from "../helpers/upstream.js";

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
  it("checks out exactly the recipe's paths at the pinned commit", async () => {
    const tree = await fetchSource(
      { name: "linux-next", url, commit: upstream.commit, paths },
      tempDir("fetch-cache"),
      false,
    );
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
    const req = { name: "linux-next", url, commit: upstream.commit, paths };
    const cache = tempDir("reuse-cache");
    const first = await fetchSource(req, cache, false);
    const again = await fetchSource(req, cache, true);
    expect(again).toMatchObject({ cached: true, dir: first.dir, files: first.files });
    expect(Object.keys(again.files)).toContain("drivers/bus/mhi/host/pci_generic.c");
  });

  it("refuses a cache entry whose HEAD is not the pin, read from git's HEAD file or resolved by git", async () => {
    const req = { name: "linux-next", url, commit: upstream.commit, paths };
    const cache = tempDir("head-cache");
    const tree = await fetchSource(req, cache, false);
    const other = (await execa("git", ["-C", upstream.repo, "rev-parse", `${upstream.commit}~1`])).stdout;
    writeFileSync(join(tree.dir, ".git/HEAD"), `${other}\n`);
    await expect(fetchSource(req, cache, true)).rejects.toThrow(
      `source 'linux-next': checked out ${other}, expected the pin ${upstream.commit}`,
    );
    // A symbolic HEAD names a branch: git resolves it, and a branch at the pin is the pin.
    await execa("git", ["-C", tree.dir, "update-ref", "refs/heads/pinned", upstream.commit]);
    writeFileSync(join(tree.dir, ".git/HEAD"), "ref: refs/heads/pinned\n");
    await expect(fetchSource(req, cache, true)).resolves.toMatchObject({ cached: true, dir: tree.dir });
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
    expect((await execa("git", ["-C", upstream.repo, "status", "--porcelain"])).stdout).toBe("");
  });
});

describe("a cache that cannot lie", () => {
  const req = { name: "linux-next", url, commit: upstream.commit, paths };
  const show = (path: string) =>
    execa("git", ["-C", upstream.repo, "show", `${upstream.commit}:${path}`], { stripFinalNewline: false });
  const blobId = async (path: string) =>
    (await execa("git", ["-C", upstream.repo, "rev-parse", `${upstream.commit}:${path}`])).stdout;

  it("records git's blob id of every fetched file, and of files it was asked to record", async () => {
    const tree = await fetchSource(
      { ...req, recordIds: ["include/linux/pci_ids.h", "include/linux/no-such-header.h"] },
      tempDir("ids-cache"),
      false,
    );
    expect(Object.keys(tree.files).sort()).toEqual(filesUnder(tree.dir).sort());
    expect(tree.files["drivers/bus/mhi/host/pci_generic.c"]).toBe(
      await blobId("drivers/bus/mhi/host/pci_generic.c"),
    );
    expect(tree.recorded).toEqual({
      "include/linux/pci_ids.h": await blobId("include/linux/pci_ids.h"),
      "include/linux/no-such-header.h": null,
    });
    // Recorded from the trees only: the header's blob was never fetched.
    expect(existsSync(join(tree.dir, "include/linux/pci_ids.h"))).toBe(false);
  });

  it("detects an edited, an added and a removed file: refused offline, fetched again online", async () => {
    const cache = tempDir("tamper-cache");
    const first = await fetchSource(req, cache, false);
    const file = "drivers/bus/mhi/host/pci_generic.c";
    const cases: [string, () => void, string][] = [
      [
        "edited",
        () => appendFileSync(join(first.dir, file), "/* local change */\n"),
        `${file} differs from the pinned commit`,
      ],
      [
        "added",
        () => writeFileSync(join(first.dir, "drivers/bus/mhi/host/extra.c"), "int x;\n"),
        "drivers/bus/mhi/host/extra.c is not in the pinned commit",
      ],
      ["removed", () => rmSync(join(first.dir, "include/linux/mhi.h")), "include/linux/mhi.h is missing"],
    ];
    const pinned = filesUnder(first.dir).sort();
    expect(pinned).toEqual(Object.keys(first.files).sort());
    for (const [what, tamper, problem] of cases) {
      tamper();
      await expect(fetchSource(req, cache, true), what).rejects.toMatchObject({
        message: `source 'linux-next' at ${upstream.commit}: the cached copy does not match the pin: ${problem} (${first.dir})`,
        hint: "run once without --offline to fetch it again",
      });
      const again = await fetchSource(req, cache, false);
      expect(again.refetched, what).toBe(`the cached copy did not match the pin (${problem}): fetched again`);
      expect(filesUnder(again.dir).sort(), what).toEqual(pinned);
      for (const f of [file, "include/linux/mhi.h"])
        expect(readFileSync(join(again.dir, f), "utf8")).toBe((await show(f)).stdout);
      expect((await fetchSource(req, cache, true)).cached, what).toBe(true);
    }
  });

  it("takes a damaged cache record for no record: refused offline as not cached, fetched again online", async () => {
    const cache = tempDir("damaged-record-cache");
    const first = await fetchSource(req, cache, false);
    writeFileSync(join(first.dir, ".kbackport-source.json"), "{ damaged");
    await expect(fetchSource(req, cache, true)).rejects.toMatchObject({
      message: `source 'linux-next' at ${upstream.commit} is not in the cache (${first.dir})`,
    });
    const again = await fetchSource(req, cache, false);
    expect(again).toMatchObject({ cached: false, files: first.files });
    expect((await fetchSource(req, cache, true)).cached).toBe(true);
  });

  it("a run reports the refetch as a warning", async () => {
    const cache = tempDir("tamper-run-cache");
    const recipe = join(import.meta.dirname, "../../recipes/mhi-wwan.yaml");
    const fetchRun = async () => {
      const r = await kbackport(["fetch", recipe, ...fixtureSources(), "--json"], {
        KBACKPORT_CACHE_DIR: cache,
      });
      return {
        exitCode: r.exitCode,
        report: JSON.parse(r.stdout) as { sources: { name: string; dir: string }[]; warnings: string[] },
      };
    };
    const first = await fetchRun();
    expect(first.exitCode).toBe(0);
    const linuxNext = first.report.sources.find((s) => s.name === "linux-next")!;
    appendFileSync(join(linuxNext.dir, "drivers/bus/mhi/host/main.c"), "/* local change */\n");
    const second = await fetchRun();
    expect(second.exitCode).toBe(0);
    expect(second.report.warnings).toEqual([
      "source 'linux-next': the cached copy did not match the pin (drivers/bus/mhi/host/main.c differs from the pinned commit): fetched again",
    ]);
  });

  it("removes the temporaries of fetches whose process died, and leaves a live one's alone", async () => {
    const cache = tempDir("dead-cache");
    const dir = sourceCacheDir(cache, req);
    const dead = (await execa("sh", ["-c", "echo $$"])).stdout;
    mkdirSync(`${dir}.tmp-${dead}-0/drivers`, { recursive: true });
    mkdirSync(`${dir}.tmp-${process.pid}-zz`, { recursive: true });
    await fetchSource(req, cache, false);
    expect(existsSync(`${dir}.tmp-${dead}-0`)).toBe(false);
    expect(existsSync(`${dir}.tmp-${process.pid}-zz`)).toBe(true);
  });

  it("serves several runs sharing one cache at the same time", async () => {
    const cache = tempDir("shared-cache");
    const recipe = join(import.meta.dirname, "../../recipes/mhi-wwan.yaml");
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        kbackport(["fetch", recipe, ...fixtureSources(), "--json"], { KBACKPORT_CACHE_DIR: cache }),
      ),
    );
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    const sources = runs.map(
      (r) => (JSON.parse(r.stdout) as { sources: { dir: string; files: object }[] }).sources,
    );
    expect(new Set(sources.map((s) => JSON.stringify(s.map((x) => [x.dir, x.files])))).size).toBe(1);
    const all = readdirSync(join(cache, "sources"), { recursive: true }).map(String);
    expect(all.filter((f) => f.includes(".tmp-"))).toEqual([]);
    // Two fetches of one pin in one process, into an empty cache.
    const fresh = tempDir("shared-cache-one-process");
    const both = await Promise.all([fetchSource(req, fresh, false), fetchSource(req, fresh, false)]);
    expect(both.map((b) => b.files)).toEqual([both[0].files, both[0].files]);
    expect(filesUnder(both[0].dir).sort()).toEqual(Object.keys(both[0].files).sort());
    expect(
      readdirSync(join(fresh, "sources"), { recursive: true })
        .map(String)
        .filter((f) => f.includes(".tmp-")),
    ).toEqual([]);
  });
});
