import { describe, expect, it } from "vitest";
import { kbackport, tempDir } from "./helpers/cli.js";
import { headers510 } from "./helpers/debian.js";

describe("kbackport CLI", () => {
  it("doctor lists every tool with the package that provides it", async () => {
    const r = await kbackport(["doctor", "--json"]);
    const { checks, missing } = JSON.parse(r.stdout) as {
      checks: { name: string; ok: boolean; install: string }[];
      missing: string[];
    };
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "git",
        "make",
        "gcc",
        "flex",
        "bison",
        "libelf",
        "aarch64-linux-gnu-gcc (arm64)",
      ]),
    );
    expect(checks.find((c) => c.name === "libelf")!.install).toBe("libelf-dev");
    expect(r.exitCode).toBe(missing.length === 0 ? 0 : 1);
  });

  it("doctor fails and names the packages of what is missing", async () => {
    const r = await kbackport(["doctor", "--arch", "riscv"], { PATH: tempDir("empty-path") });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^make +MISSING$/m);
    expect(r.stdout).toMatch(/^riscv64-linux-gnu-gcc \(riscv\) +MISSING$/m);
    expect(r.stdout).toMatch(/^x86_64-linux-gnu-gcc \(x86\) +not installed \(optional\)$/m);
    expect(r.stdout).toContain("install what is missing: apt-get install git make gcc flex bison bc kmod");
    expect(r.stdout).toContain("gcc-riscv64-linux-gnu");
  });

  it("rejects unknown options with exit code 2", async () => {
    const r = await kbackport(["run", "recipes/mhi-wwan.yaml", "--no-such-flag"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });

  it("rejects a --source without a full commit id before doing anything", async () => {
    const r = await kbackport(["fetch", "recipes/mhi-wwan.yaml", "--source", "linux-next=/srv/linux@abc123"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--source linux-next: 'abc123' is not a full 40-hex commit id");
  });

  it("says when the kernel directory does not exist", async () => {
    const r = await kbackport(["prepare", "recipes/mhi-wwan.yaml", "--kernel", "/nonexistent"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("error: kernel directory /nonexistent does not exist");
    expect(r.stdout).toContain(
      "hint: pass --kernel with a configured kernel tree or a linux-headers-* directory",
    );
  });

  it("rejects an unknown --assume-missing feature and lists the known ones", async () => {
    const r = await kbackport([
      "prepare",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--assume-missing",
      "fsleep,nope",
      "--out",
      tempDir("am"),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("error: --assume-missing: unknown feature 'nope'");
    expect(r.stdout).toMatch(/hint: known features: u64_stats_t, fsleep, /);
  });
});
