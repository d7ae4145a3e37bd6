import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { fixtureSources } from "../helpers/upstream.js";

// Real faults from real filesystems: small or read-only tmpfs mounts (the tests run as root, as CI does).
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync("umount", ["-l", dir]);
});

function tmpfs(options: string): string {
  const dir = tempDir("fault-mount");
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

const prepare = (out: string, cache: string) =>
  kbackportJson(
    [
      "prepare",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--components",
      "mhi",
      "--out",
      out,
      ...fixtureSources(),
    ],
    { KBACKPORT_CACHE_DIR: cache },
  );

describe("system faults are named with the path and a hint that fits the cause", () => {
  it("a full disk under --out", async () => {
    const disk = tmpfs("size=256k");
    const { exitCode, report } = await prepare(join(disk, "out"), tempDir("fault-cache"));
    expect(exitCode).toBe(1);
    expect(report.errors[0]!.message).toMatch(/: no space left on the device \(\/.+\)$/);
    expect(report.errors[0]!.hint).toBe(
      "free space on that filesystem (df -h shows it), or put --out or KBACKPORT_CACHE_DIR on another one",
    );
    expect(readdirSync(disk).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("a full cache during the fetch", async () => {
    const cache = join(tmpfs("size=256k"), "cache");
    const { exitCode, report } = await prepare(join(tempDir("fault-out"), "out"), cache);
    expect(exitCode).toBe(1);
    // git's own line names the file it could not write in the cache.
    expect(report.errors[0]!.message).toMatch(/no space left on the device/);
    expect(report.errors[0]!.message).toContain(`${cache}/`);
    expect(report.errors[0]!.hint).toContain("free space on that filesystem");
  });

  it("a read-only parent of --out is refused before any work", async () => {
    const ro = tmpfs("ro,size=64k");
    const cache = tempDir("fault-cache-ro");
    const out = join(ro, "out");
    const { exitCode, report } = await prepare(out, cache);
    expect(exitCode).toBe(1);
    expect(report.errors[0]).toMatchObject({
      message: `the output directory ${out} cannot be written: the filesystem is read-only (${ro})`,
      where: "--out",
      hint: "choose an --out or KBACKPORT_CACHE_DIR on a writable filesystem",
    });
    expect(report.stages.map((s) => s.id)).not.toContain("fetch");
    expect(existsSync(join(cache, "sources")) ? readdirSync(join(cache, "sources")) : []).toEqual([]);
  });

  it("copies from a read-only cache are writable", async () => {
    const cache = tempDir("fault-cache-shared");
    const first = await prepare(join(tempDir("fault-out"), "out"), cache);
    expect(first.exitCode).toBe(0);
    execFileSync("chmod", ["-R", "a-w", cache]);
    const out = join(tempDir("fault-out"), "out");
    mkdirSync(out);
    const second = await prepare(out, cache);
    execFileSync("chmod", ["-R", "u+w", cache]);
    expect(second.exitCode).toBe(0);
    const modes = execFileSync("find", [join(out, "tree"), "-type", "f", "!", "-perm", "-u+w"], {
      encoding: "utf8",
    });
    expect(modes).toBe("");
  });
});
