import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyReport } from "../../src/report.js";
import { readRunReport } from "../../src/validate/run-report.js";
import { elfHeader } from "../helpers/elf.js";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A run directory with one module; `module` overrides what report.json says of it. */
function run(
  bytes: Buffer,
  opts: { arch?: string; crossCompile?: string; module?: Record<string, unknown>; raw?: string } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "kbackport-run-report-"));
  mkdirSync(join(dir, "modules"));
  writeFileSync(join(dir, "modules/mhi.ko"), bytes);
  const report = {
    ...emptyReport("run", "0.1.0"),
    target: {
      dir: "/k",
      sourceDir: "/k",
      kind: "tree",
      release: "5.10.0",
      version: "5.10.0",
      arch: opts.arch ?? "x86",
      crossCompile: opts.crossCompile ?? "",
      compiler: "gcc",
      symvers: true,
      features: [],
    },
    modules: [
      {
        name: "mhi",
        component: "mhi",
        dir: "drivers/bus/mhi/host",
        path: "modules/mhi.ko",
        sha256: sha256(bytes),
        ...opts.module,
      },
    ],
  };
  writeFileSync(join(dir, "report.json"), opts.raw ?? JSON.stringify(report));
  return dir;
}

const x86 = elfHeader({ machine: 62 });

describe("a run directory is checked input", () => {
  it("reads a sound run", () => {
    expect(readRunReport(run(x86)).modules.map((m) => m.name)).toEqual(["mhi"]);
  });

  it.each([
    ["../../../../etc/passwd", "'../../../../etc/passwd' is not a file in the run's modules/"],
    ["/etc/passwd", "'/etc/passwd' is not a file in the run's modules/"],
    ["report.json", "'report.json' is not a file in the run's modules/"],
  ])("refuses a module path %s", (path, message) => {
    const dir = run(x86, { module: { path } });
    expect(() => readRunReport(dir)).toThrow(`${join(dir, "report.json")}: modules.0.path: ${message}`);
  });

  it("refuses a module that links out of the run", () => {
    const dir = run(x86, { module: { path: "modules/out.ko" } });
    symlinkSync("/etc/passwd", join(dir, "modules/out.ko"));
    expect(() => readRunReport(dir)).toThrow(
      "modules/out.ko is missing, or not a regular file inside the run",
    );
  });

  it("refuses bytes other than those the run recorded", () => {
    const dir = run(x86, { module: { sha256: "0".repeat(64) } });
    expect(() => readRunReport(dir)).toThrow(
      "modules/mhi.ko is not the module the run built (its sha256 differs from the report's)",
    );
  });

  it.each([
    ["garbage", Buffer.from("this is no kernel module\n".repeat(4)), "not an ELF file"],
    ["truncated", x86.subarray(0, 20), "not an ELF file"],
    ["empty", Buffer.alloc(0), "not an ELF file"],
    ["an executable", elfHeader({ machine: 62, type: 2 }), "ELF type 2, not a relocatable object (a module)"],
    [
      "an arm64 module",
      elfHeader({ machine: 183 }),
      "ELF machine 183, not x86-64 or i386 for the target (x86)",
    ],
  ])("refuses %s recorded with its own hash", (_what, bytes, message) => {
    expect(() => readRunReport(run(bytes))).toThrow(`modules/mhi.ko: ${message}`);
  });

  it("tells little-endian MIPS from big-endian by the toolchain", () => {
    const big = elfHeader({ machine: 8, little: false, elfClass: 1 });
    expect(() => readRunReport(run(big, { arch: "mips", crossCompile: "mipsel-linux-gnu-" }))).toThrow(
      "modules/mhi.ko: big-endian, the target (mipsel) is little-endian",
    );
    expect(readRunReport(run(big, { arch: "mips", crossCompile: "mips-linux-gnu-" })).modules).toHaveLength(
      1,
    );
  });

  it("names the file and the field of a damaged report", () => {
    const truncated = run(x86, { raw: '{"kbackport": "0.1.0", "command": "ru' });
    expect(() => readRunReport(truncated)).toThrow(
      new RegExp(`^${join(truncated, "report.json")} is damaged: not JSON \\(`),
    );
    const notList = run(x86, { raw: JSON.stringify({ kbackport: "0.1.0", command: "run", modules: "mhi" }) });
    expect(() => readRunReport(notList)).toThrow(`${join(notList, "report.json")} is damaged: modules: `);
    const nullCommand = run(x86, { raw: JSON.stringify({ kbackport: "0.1.0", command: null }) });
    expect(() => readRunReport(nullCommand)).toThrow(
      `${join(nullCommand, "report.json")} is damaged: command: `,
    );
    const badModule = run(x86, {
      raw: JSON.stringify({ kbackport: "0.1.0", command: "run", modules: [{ name: "mhi", path: 1 }] }),
    });
    expect(() => readRunReport(badModule)).toThrow(
      `${join(badModule, "report.json")} is damaged: modules.0.`,
    );
  });
});
