import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUT_MARKER } from "../../src/output/owned-dir.js";
import { recoverOutput } from "../../src/output/recover.js";

/** A pid no process has: above the kernel's pid_max default. */
const DEAD = 4_194_305;

function output(dir: string, content: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, OUTPUT_MARKER), "{}\n");
  writeFileSync(join(dir, "report.json"), content);
}

describe("what a killed run left beside its output", () => {
  it("is put right: the previous output back from the swap directory, the staging directory removed", () => {
    const parent = mkdtempSync(join(tmpdir(), "kbackport-recover-"));
    const out = join(parent, "out");
    output(join(parent, `.out.old-${DEAD}-a1`, "previous"), "previous");
    output(join(parent, `.out.tmp-${DEAD}-b2`), "half");
    expect(recoverOutput(out)).toEqual([
      `a run killed while replacing ${out} had moved the previous output aside: put back`,
      `removed ${join(parent, `.out.tmp-${DEAD}-b2`)}, the half-written output of a killed run`,
    ]);
    expect(readFileSync(join(out, "report.json"), "utf8")).toBe("previous");
    expect(readdirSync(parent)).toEqual(["out"]);
  });

  it("removes the old copy when the new output made it, and leaves a live run's and foreign directories alone", () => {
    const parent = mkdtempSync(join(tmpdir(), "kbackport-recover-"));
    const out = join(parent, "out");
    output(out, "new");
    output(join(parent, `.out.old-${DEAD}-c3`, "previous"), "previous");
    output(join(parent, `.out.tmp-${process.pid}-d4`), "live");
    mkdirSync(join(parent, `.out.tmp-${DEAD}-e5`));
    writeFileSync(join(parent, `.out.tmp-${DEAD}-e5`, "notes.txt"), "mine");
    expect(recoverOutput(out)).toEqual([
      `removed ${join(parent, `.out.old-${DEAD}-c3`)}, the previous output a killed run had replaced`,
    ]);
    expect(readFileSync(join(out, "report.json"), "utf8")).toBe("new");
    expect(new Set(readdirSync(parent))).toEqual(
      new Set([`.out.tmp-${DEAD}-e5`, `.out.tmp-${process.pid}-d4`, "out"]),
    );
  });
});
