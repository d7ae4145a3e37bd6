import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/report.js";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { fixtureSources } from "../helpers/upstream.js";

let good: string;
beforeAll(async () => {
  good = join(tempDir("hostile-good"), "out");
  const r = await kbackportJson(
    [
      "run",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--components",
      "mhi",
      "--out",
      good,
      ...fixtureSources(),
    ],
    { KBACKPORT_CACHE_DIR: tempDir("hostile-cache") },
  );
  expect(r.report.errors).toEqual([]);
});

/** A copy of the good run, changed by `tamper` as a careless or hostile CI job might. */
function tampered(tamper: (dir: string, report: RunReport) => void): string {
  const dir = join(tempDir("hostile"), "run");
  cpSync(good, dir, { recursive: true });
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunReport;
  tamper(dir, report);
  writeFileSync(join(dir, "report.json"), JSON.stringify(report));
  return dir;
}

/** `package openwrt` of a run, for Debian's x86_64 5.10 kernel as an OpenWrt kernel, into a new directory. */
async function packageRun(run: string) {
  const out = join(tempDir("hostile-package"), "feed");
  const r = await kbackport([
    "package",
    "openwrt",
    run,
    "--kernel-package",
    `5.10.262-1-${"0".repeat(32)}`,
    "--arch-packages",
    "x86_64",
    "--out",
    out,
  ]);
  return { ...r, out };
}

/** `package openwrt` of a run: refused with the message, exit 1, and no package written. */
async function packageRefused(run: string, message: string) {
  const r = await packageRun(run);
  expect(r.stdout + r.stderr).toContain(message);
  expect(r.exitCode).toBe(1);
  const written = existsSync(r.out) ? readdirSync(r.out, { recursive: true }) : [];
  expect(written.filter((f) => String(f).endsWith(".ipk"))).toEqual([]);
}

describe("a run directory from elsewhere is checked before anything uses it", () => {
  it("packages the run as it was made", async () => {
    expect((await packageRun(good)).exitCode).toBe(0);
  });

  it("refuses a module path out of the run: the host's /etc/passwd is never packaged", async () => {
    const run = tampered((_dir, report) => {
      report.modules[0]!.path = "../../../../etc/passwd";
      report.modules[0]!.sha256 = createHash("sha256").update(readFileSync("/etc/passwd")).digest("hex");
    });
    await packageRefused(
      run,
      `error: ${join(run, "report.json")}: modules.0.path: '../../../../etc/passwd' is not a file in the run's modules/`,
    );
  });

  it("refuses a garbage module recorded with its own hash, in package and validate", async () => {
    const run = tampered((dir, report) => {
      const garbage = Buffer.from("not a module\n".repeat(100));
      writeFileSync(join(dir, "modules/mhi.ko"), garbage);
      report.modules[0]!.sha256 = createHash("sha256").update(garbage).digest("hex");
    });
    await packageRefused(run, "modules/mhi.ko: not an ELF file");
    const v = await kbackport(["validate", run]);
    expect(v.stdout).toContain(
      `error: ${join(run, "report.json")}: modules.0.path: modules/mhi.ko: not an ELF file`,
    );
    expect(v.exitCode).toBe(1);
  });

  it("refuses a module whose bytes changed after the run", async () => {
    const run = tampered((dir) => writeFileSync(join(dir, "modules/mhi.ko"), Buffer.alloc(0)));
    await packageRefused(
      run,
      "modules/mhi.ko is not the module the run built (its sha256 differs from the report's)",
    );
  });

  it("names the file of a damaged report.json", async () => {
    const run = tampered(() => undefined);
    writeFileSync(join(run, "report.json"), readFileSync(join(run, "report.json"), "utf8").slice(0, 600));
    await packageRefused(run, `error: ${join(run, "report.json")} is damaged: not JSON (`);
  });
});
