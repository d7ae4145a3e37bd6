import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stageOutput } from "../../src/output/atomic-dir.js";
import { checkOutputDir, OUTPUT_MARKER } from "../../src/output/owned-dir.js";
import { tempDir } from "../helpers/cli.js";

const hint = "choose a new or empty directory, or one an earlier kbackport run wrote";

describe("output directories: only what kbackport wrote is replaced", () => {
  it("accepts a new directory, an empty one and an earlier output", () => {
    const root = tempDir("owned");
    expect(() => checkOutputDir(join(root, "new"), [])).not.toThrow();
    mkdirSync(join(root, "empty"));
    expect(() => checkOutputDir(join(root, "empty"), [])).not.toThrow();
    mkdirSync(join(root, "earlier"));
    writeFileSync(join(root, "earlier", OUTPUT_MARKER), "{}\n");
    writeFileSync(join(root, "earlier", "report.json"), "{}\n");
    expect(() => checkOutputDir(join(root, "earlier"), [])).not.toThrow();
  });

  it("refuses a directory with the user's files, naming what would be lost", () => {
    const root = tempDir("owned");
    const dir = join(root, "mine");
    mkdirSync(dir);
    for (const f of ["a", "b", "c", "d", "e", "f", "g"]) writeFileSync(join(dir, f), f);
    expect(() => checkOutputDir(dir, [], "--out")).toThrow(
      expect.objectContaining({
        where: "--out",
        message: `${dir} (the output directory) exists and was not written by kbackport (no ${OUTPUT_MARKER}): replacing it would lose a, b, c, d, e, ... (7 entries)`,
        hint,
      }),
    );
  });

  it("refuses a file, a link and a foreign <out>.failed", () => {
    const root = tempDir("owned");
    writeFileSync(join(root, "file"), "x");
    expect(() => checkOutputDir(join(root, "file"), [])).toThrow(
      `${join(root, "file")} (the output directory) is a file that is not kbackport's; it would be replaced`,
    );
    mkdirSync(join(root, "target"));
    writeFileSync(join(root, "target", OUTPUT_MARKER), "{}\n");
    symlinkSync(join(root, "target"), join(root, "link"));
    expect(() => checkOutputDir(join(root, "link"), [])).toThrow(
      `${join(root, "link")} (the output directory) is a symbolic link; kbackport does not write through links`,
    );
    mkdirSync(join(root, "out.failed"));
    writeFileSync(join(root, "out.failed", "notes"), "x");
    expect(() => checkOutputDir(join(root, "out"), [])).toThrow(
      `${join(root, "out.failed")} (where a failed run is kept) exists and was not written by kbackport`,
    );
  });

  it("keeps outputs clear of protected directories, through links too", () => {
    const root = tempDir("owned");
    const kernel = join(root, "linux");
    mkdirSync(join(kernel, "out"), { recursive: true });
    symlinkSync(kernel, join(root, "alias"));
    const guarded = [{ dir: kernel, what: "the kernel tree" }];
    const refused = (out: string, relation: string) =>
      expect(() => checkOutputDir(out, guarded)).toThrow(
        expect.objectContaining({
          message: `the output directory ${out} ${relation} the kernel tree (${kernel})`,
          hint: "an output replaces its directory as a whole: choose a directory outside it",
        }),
      );
    refused(kernel, "is");
    refused(join(kernel, "out", "x"), "is inside");
    refused(join(root, "alias", "new"), "is inside");
    refused(root, "contains");
    expect(() => checkOutputDir(join(root, "elsewhere"), guarded)).not.toThrow();
    const project = [{ dir: root, what: "kbackport itself", allowInside: [join(root, "linux", "out")] }];
    expect(() => checkOutputDir(join(kernel, "out", "run"), project)).not.toThrow();
    expect(() => checkOutputDir(join(kernel, "other"), project)).toThrow(
      `the output directory ${join(kernel, "other")} is inside kbackport itself (${root})`,
    );
  });
});

describe("staged outputs", () => {
  it("replace an earlier output on commit, marked, and leave no sibling behind", async () => {
    const root = tempDir("staged");
    const out = join(root, "out");
    const first = await stageOutput(out, "run");
    writeFileSync(join(first.dir, "report.json"), "1");
    await first.commit();
    const second = await stageOutput(out, "run");
    writeFileSync(join(second.dir, "report.json"), "2");
    await second.commit();
    expect(readFileSync(join(out, "report.json"), "utf8")).toBe("2");
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER, "report.json"]);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("leave a directory that appeared during the run alone", async () => {
    const root = tempDir("staged");
    const out = join(root, "out");
    const staged = await stageOutput(out, "run");
    mkdirSync(out);
    writeFileSync(join(out, "mine"), "x");
    await expect(staged.commit()).rejects.toThrow(
      `${out} appeared during the run and was not written by kbackport: left as it is`,
    );
    expect(readdirSync(out)).toEqual(["mine"]);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("keep a failed attempt as <out>.failed, unless the user has a directory there", async () => {
    const root = tempDir("staged");
    const out = join(root, "out");
    const failed = await stageOutput(out, "run");
    await failed.abandon();
    expect(existsSync(join(`${out}.failed`, OUTPUT_MARKER))).toBe(true);
    const again = await stageOutput(out, "run");
    writeFileSync(join(`${out}.failed`, "notes"), "kept");
    await again.abandon();
    expect(readdirSync(root).sort()).toEqual(["out.failed"]);
    const mine = join(root, "mine");
    mkdirSync(`${mine}.failed`);
    writeFileSync(join(`${mine}.failed`, "notes"), "x");
    await (await stageOutput(mine, "run")).abandon();
    expect(readdirSync(`${mine}.failed`)).toEqual(["notes"]);
    expect(readdirSync(root).sort()).toEqual(["mine.failed", "out.failed"]);
  });
});
