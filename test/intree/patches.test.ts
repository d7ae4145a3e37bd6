import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPatches } from "../../src/intree/apply-patches.js";
import { driverPatch, patchedPaths } from "../../src/intree/driver-patch.js";
import { tempDir } from "../helpers/cli.js";

const files = new Map([
  ["Kbuild", "obj-m += drivers/net/\n"],
  ["drivers/net/mhi_net.c", "/* a */\nint x;\n"],
  ["include/empty.h", ""],
  ["include/no-newline.h", "#define A 1"],
]);

function kernelTree(): string {
  const dir = tempDir("intree-kernel");
  mkdirSync(join(dir, "net/core"), { recursive: true });
  writeFileSync(join(dir, "net/core/rtnetlink.c"), "one\ntwo\nthree\n");
  return dir;
}

function writePatch(dir: string, name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, name };
}

const addFour =
  "--- a/net/core/rtnetlink.c\n+++ b/net/core/rtnetlink.c\n@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n";
const changeTwo =
  "--- a/net/core/rtnetlink.c\n+++ b/net/core/rtnetlink.c\n@@ -1,4 +1,4 @@\n one\n-two\n+TWO\n three\n four\n";

describe("driver patch", () => {
  it("adds every file of the tree under the prefix, byte for byte, empty and unterminated files too", async () => {
    const kernel = kernelTree();
    const text = driverPatch(files, "kbackport/mhi-wwan");
    expect(text).toBe(driverPatch(new Map([...files].reverse()), "kbackport/mhi-wwan"));
    expect(patchedPaths(text)).toEqual([...files.keys()].map((f) => `kbackport/mhi-wwan/${f}`).sort());
    const patch = writePatch(tempDir("intree-patches"), "drivers.patch", text);
    expect(await applyPatches(kernel, [patch])).toEqual([{ name: "drivers.patch", state: "applied" }]);
    for (const [path, content] of files)
      expect(readFileSync(join(kernel, "kbackport/mhi-wwan", path), "utf8")).toBe(content);
    expect(await applyPatches(kernel, [patch])).toEqual([
      { name: "drivers.patch", state: "already applied" },
    ]);
  });
});

describe("applying patches", () => {
  it("applies a series in order, a later patch building on an earlier one", async () => {
    const kernel = kernelTree();
    const dir = tempDir("intree-patches");
    const series = [writePatch(dir, "0001.patch", addFour), writePatch(dir, "0002.patch", changeTwo)];
    expect((await applyPatches(kernel, series)).map((p) => p.state)).toEqual(["applied", "applied"]);
    expect(readFileSync(join(kernel, "net/core/rtnetlink.c"), "utf8")).toBe("one\nTWO\nthree\nfour\n");
    expect((await applyPatches(kernel, series)).map((p) => p.state)).toEqual([
      "already applied",
      "already applied",
    ]);
  });

  it("applies none of a series when one patch does not apply, and names it", async () => {
    const kernel = kernelTree();
    const dir = tempDir("intree-patches");
    const broken = changeTwo.replace(" three\n four\n", " tres\n four\n");
    const series = [writePatch(dir, "0001.patch", addFour), writePatch(dir, "0002-broken.patch", broken)];
    const err = await applyPatches(kernel, series).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: expect.stringMatching(/^0002-broken\.patch does not apply to .*\n.*FAILED/s),
      where: "0002-broken.patch",
      hint: expect.stringContaining("left unchanged"),
    });
    expect(readFileSync(join(kernel, "net/core/rtnetlink.c"), "utf8")).toBe("one\ntwo\nthree\n");
    expect(existsSync(join(kernel, "net/core/rtnetlink.c.rej"))).toBe(false);
    expect(existsSync(join(kernel, "net/core/rtnetlink.c.orig"))).toBe(false);
  });
});
