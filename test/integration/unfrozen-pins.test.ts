import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { PackagingReport } from "../../src/package/openwrt/package-run.js";
import type { RunReport } from "../../src/report.js";
import type { Check } from "../../src/validate/check.js";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { commit } from "../helpers/git.js";
import { recipeAt } from "../helpers/upstream.js";

const upstream = inject("upstream");
const cache = tempDir("unfrozen-cache");
let repo: string;
let newer: string;
let out: string;
let report: RunReport;

beforeAll(async () => {
  // A third commit on top of 6.12, in a clone that shares the fixture's objects: mhi_net matches one more
  // channel, so no shipped frozen model holds its files.
  repo = join(tempDir("unfrozen-upstream"), "repo");
  execFileSync("git", ["clone", "-q", "--shared", upstream.repo, repo]);
  for (const key of ["uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"])
    execFileSync("git", ["-C", repo, "config", key, "true"]);
  const file = join(repo, "drivers/net/mhi_net.c");
  const text = readFileSync(file, "utf8");
  const sw0 = '\t{ .chan = "IP_SW0", .driver_data = (kernel_ulong_t)&mhi_swip0 },\n';
  expect(text).toContain(sw0);
  writeFileSync(file, text.replace(sw0, `${sw0}${sw0.replace("IP_SW0", "IP_SW1")}`));
  newer = commit(repo, "-am", "net: mhi_net: add the IP_SW1 channel");

  out = join(tempDir("unfrozen-out"), "out");
  const run = await kbackportJson(
    ["run", recipeAt(repo, newer), "--kernel", headers510(), "--components", "mhi,mhi_net", "--out", out],
    { KBACKPORT_CACHE_DIR: cache },
  );
  expect(run.report.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  report = run.report;
});

const derivedLine = () =>
  `derived at the run's pins (linux-next ${newer.slice(0, 12)}, net-next ${newer.slice(0, 12)}); no frozen model to compare with`;

/** The models derived in the cache, with the stat that shows whether one was written again. */
const derivedModels = () => {
  const builds = readdirSync(join(cache, "models"));
  return builds.flatMap((b) =>
    readdirSync(join(cache, "models", b)).map((f) => {
      const s = statSync(join(cache, "models", b, f), { bigint: true });
      return `${b}/${f} ${s.ino} ${s.mtimeNs}`;
    }),
  );
};

describe("a run at pins no frozen model holds (a third upstream commit), of some components", () => {
  it("validates against the model derived at its pins, says so, and keeps that model in the cache", async () => {
    expect(report.sources.map((s) => s.commit)).toEqual([newer, newer]);
    const first = await kbackport(["validate", out, "--json"], { KBACKPORT_CACHE_DIR: cache });
    expect(first.exitCode).toBe(0);
    const v = JSON.parse(first.stdout) as { ok: boolean; model: string; checks: Check[] };
    expect(v.ok).toBe(true);
    expect(v.model).toBe(derivedLine());
    // The model is the new commit's: mhi_net's third channel is one of its aliases.
    expect(v.checks).toContainEqual(
      expect.objectContaining({
        check: "aliases",
        subject: "mhi_net",
        status: "ok",
        detail: "3 aliases of the model present",
      }),
    );
    const kept = derivedModels();
    expect(kept).toHaveLength(1);

    // Again, with the upstream repository gone: the same model, from the cache, not derived again.
    renameSync(repo, `${repo}.away`);
    try {
      const second = await kbackport(["validate", out], { KBACKPORT_CACHE_DIR: cache });
      expect(second.exitCode).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`^model +${derivedLine().replace(/[()]/g, "\\$&")}$`, "m"));
      expect(derivedModels()).toEqual(kept);
    } finally {
      renameSync(`${repo}.away`, repo);
    }
  });

  it("packages for OpenWrt with that model, and says so", async () => {
    const kernel = `${report.target!.version}-1-${"0123456789abcdef".repeat(2)}`;
    const dir = tempDir("unfrozen-package");
    const r = await kbackport(
      ["package", "openwrt", out, "--kernel-package", kernel, "--arch-packages", "x86_64", "--out", dir],
      { KBACKPORT_CACHE_DIR: cache },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`\nmodel    ${derivedLine()}\n`);
    const packaging = JSON.parse(
      readFileSync(join(dir, "openwrt/packaging.json"), "utf8"),
    ) as PackagingReport;
    expect(packaging.model).toBe(derivedLine());
    expect(packaging.packages.map((p) => p.package)).toEqual([
      "kmod-mhi-bus",
      "kmod-mhi-pci-generic",
      "kmod-mhi-net",
    ]);
    // The dependencies come from the model: mhi_net needs the MHI core.
    const index = readFileSync(join(dir, "openwrt/packages/x86_64/Packages"), "utf8");
    const netStanza = index.split("\n\n").find((s) => s.startsWith("Package: kmod-mhi-net\n"));
    expect(netStanza).toMatch(/^Depends: kernel \(=[^)]+\), kmod-mhi-bus \(=[^)]+\)$/m);
  });
});
