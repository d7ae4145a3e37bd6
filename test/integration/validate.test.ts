import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/report.js";
import type { Check } from "../../src/validate/check.js";
import { kbackport, kbackportJson, ROOT, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

const RECIPE = "recipes/mhi-wwan.yaml";
let out: string;
let report: RunReport;

beforeAll(async () => {
  out = tempDir("validate-run");
  const run = await kbackportJson(
    ["run", RECIPE, "--kernel", headers510(), "--out", out, ...fixtureSources()],
    {
      KBACKPORT_CACHE_DIR: tempDir("validate-cache"),
    },
  );
  expect(run.report.errors).toEqual([]);
  report = run.report;
});

async function validate(dir: string) {
  const r = await kbackport(["validate", dir, "--json"]);
  const result = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return {
    exitCode: r.exitCode,
    ...result,
    violations: result.checks.filter((c) => c.status === "violation"),
  };
}

/** A copy of the good run, to break one thing in. */
function copyOfRun(): string {
  const dir = join(tempDir("validate-broken"), "out");
  cpSync(out, dir, { recursive: true });
  return dir;
}

/** Rewrites every occurrence of a byte string in a file with another of the same length. */
function patchBytes(file: string, from: string, to: string) {
  expect(to.length).toBe(from.length);
  const bytes = readFileSync(file);
  let count = 0;
  for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1), count++)
    bytes.write(to, i, "latin1");
  expect(count).toBeGreaterThan(0);
  writeFileSync(file, bytes);
  // A module is a run's own only with the digest its report records: this stands for a run that built it so.
  if (basename(dirname(file)) === "modules") {
    const report = join(dirname(dirname(file)), "report.json");
    const data = JSON.parse(readFileSync(report, "utf8")) as RunReport;
    const m = data.modules.find((mod) => mod.path === `modules/${basename(file)}`)!;
    m.sha256 = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(report, JSON.stringify(data));
  }
}

describe("kbackport validate", () => {
  it("passes the 5.10 x86_64 run: every module and the sources match the model and the target", async () => {
    expect(report.modules.map((m) => m.name)).toEqual(X86_MODULES);
    const v = await validate(out);
    expect(v.violations).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.exitCode).toBe(0);
    const byKey = new Map(v.checks.map((c) => [`${c.check} ${c.subject}`, c]));
    for (const m of X86_MODULES) {
      for (const check of ["vermagic", "aliases", "exports", "depends", "license", "symbols", "shadowing"])
        expect(byKey.get(`${check} ${m}`)?.status, `${check} ${m}`).toBe("ok");
    }
    // Debian's own mhi is replaced by choice; its exports and Module.symvers are at hand.
    expect(byKey.get("shadowing mhi")!.detail).toContain("replaces the target's own");
    expect(byKey.get("aliases mhi_pci_generic")!.detail).toMatch(/^\d{2} aliases/);
    expect(byKey.get("protocol drivers/net/wwan/qcom_bam_dmux.c")?.status).toBe("ok");
    expect(byKey.get("protocol include/linux/mhi.h")?.status).toBe("ok");
    expect(byKey.get("api sources")?.status).toBe("ok");
    const table = await kbackport(["validate", out]);
    expect(table.stdout).toMatch(/^aliases +mhi_net +ok/m);
    expect(table.stdout).toMatch(/checks, no violation$/);
  });

  it("skips, and says so, the checks that need the target's tree when it is no longer there", async () => {
    const dir = copyOfRun();
    const moved = { ...report, target: { ...report.target!, dir: join(dir, "no-such-kernel") } };
    writeFileSync(join(dir, "report.json"), JSON.stringify(moved));
    const v = await validate(dir);
    const skipped = v.checks.filter((c) => c.status === "skipped");
    expect([...new Set(skipped.map((c) => c.check))].sort()).toEqual([
      "protocol",
      "shadowing",
      "symbols",
      "vermagic",
    ]);
    // BAM-DMUX's buffer size is SZ_2K, from the kernel's sizes.h.
    expect(skipped.filter((c) => c.check === "protocol")).toEqual([
      expect.objectContaining({
        subject: "drivers/net/wwan/qcom_bam_dmux.c",
        detail: expect.stringContaining("SZ_2K"),
      }),
    ]);
    expect(skipped.length).toBe(3 * X86_MODULES.length + 1);
    expect(v.violations).toEqual([]);
    expect(v.exitCode).toBe(0);
    expect((await kbackport(["validate", dir])).stdout).toMatch(
      /target kernel tree not at hand: some checks skipped\)$/,
    );
  });

  it("finds a module that lost an alias", async () => {
    const dir = copyOfRun();
    patchBytes(join(dir, "modules/mhi_net.ko"), "alias=mhi:IP_SW0", "alias=mhi:IP_SX0");
    const v = await validate(dir);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "aliases",
        subject: "mhi_net",
        detail: expect.stringContaining("mhi:IP_SW0"),
      }),
    ]);
    expect(v.exitCode).toBe(1);
  });

  it("finds a missing export", async () => {
    const dir = copyOfRun();
    patchBytes(join(dir, "modules/mhi.ko"), "__ksymtab_mhi_queue_skb", "__ksymtab_mhi_queue_skX");
    const v = await validate(dir);
    expect(v.violations).toContainEqual(
      expect.objectContaining({
        check: "exports",
        subject: "mhi",
        detail: expect.stringMatching(/^does not export mhi_queue_skb:/),
      }),
    );
    expect(v.exitCode).toBe(1);
  });

  it("finds a wrong vermagic", async () => {
    const dir = copyOfRun();
    const release = report.target!.release;
    patchBytes(join(dir, "modules/wwan.ko"), `vermagic=${release}`, `vermagic=4${release.slice(1)}`);
    const v = await validate(dir);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "vermagic",
        subject: "wwan",
        detail: expect.stringContaining(`the target's is "${release} SMP`),
      }),
    ]);
  });

  it("finds depends that disagree with the model, and a license that is not GPL-compatible", async () => {
    const dir = copyOfRun();
    patchBytes(join(dir, "modules/mhi_wwan_ctrl.ko"), "depends=mhi,wwan", "depends=mhi,wwax");
    patchBytes(join(dir, "modules/mhi_net.ko"), "license=GPL v2", "license=Prop 2");
    const v = await validate(dir);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "license",
        subject: "mhi_net",
        detail: expect.stringContaining("not GPL-compatible"),
      }),
      expect.objectContaining({
        check: "depends",
        subject: "mhi_wwan_ctrl",
        detail: expect.stringContaining("missing wwan"),
      }),
    ]);
  });

  it("finds an undefined symbol that neither the target nor the run's modules provide", async () => {
    const dir = copyOfRun();
    patchBytes(join(dir, "modules/mhi_wwan_ctrl.ko"), "wwan_port_rx", "wwan_port_rX");
    const v = await validate(dir);
    expect(v.violations).toContainEqual(
      expect.objectContaining({
        check: "symbols",
        subject: "mhi_wwan_ctrl",
        detail: expect.stringContaining("wwan_port_rX"),
      }),
    );
  });

  it("finds a module that shadows the kernel's own when the run did not choose to replace it", async () => {
    const dir = copyOfRun();
    const changed = { ...report, duplicates: [] };
    writeFileSync(join(dir, "report.json"), JSON.stringify(changed));
    const v = await validate(dir);
    expect(v.violations).toEqual([expect.objectContaining({ check: "shadowing", subject: "mhi" })]);
  });

  it("finds a changed protocol constant in the transformed sources", async () => {
    const dir = copyOfRun();
    patchBytes(join(dir, "tree/drivers/net/wwan/qcom_bam_dmux.c"), "0x33fc", "0x33fd");
    const v = await validate(dir);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "protocol",
        subject: "drivers/net/wwan/qcom_bam_dmux.c",
        detail: expect.stringContaining("BAM_DMUX_HDR_MAGIC"),
      }),
    ]);
  });

  it("finds an API the target lacks, used without a compat definition", async () => {
    const dir = copyOfRun();
    rmSync(join(dir, "tree/kbackport/include/linux/netdevice.h"));
    const v = await validate(dir);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "api",
        subject: "drivers/net/mhi_net.c",
        detail: expect.stringMatching(
          /drivers\/net\/mhi_net\.c:\d+: __netif_rx \(__netif_rx, mainline 5\.18\)/,
        ),
      }),
    ]);
  });

  it("catches a 5.4 problem on a 5.10 machine: a recipe without the fsleep rule, for a target without fsleep", async () => {
    const recipe = join(tempDir("validate-recipe"), "no-fsleep.yaml");
    writeFileSync(recipe, readFileSync(join(ROOT, RECIPE), "utf8").replace(/^ {6}- fsleep\n/m, ""));
    const prep = join(tempDir("validate-prep"), "out");
    const cache = tempDir("validate-cache2");
    const r = await kbackportJson(
      [
        "prepare",
        recipe,
        "--kernel",
        headers510(),
        "--components",
        "mhi",
        "--assume-missing",
        "fsleep",
        "--out",
        prep,
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: cache },
    );
    expect(r.report.errors).toEqual([]);
    // A run of one component cannot give the model of the whole recipe: refused, nothing written.
    const partial = await kbackport(["model", prep, "--write"], { KBACKPORT_CACHE_DIR: cache });
    expect(partial.exitCode).toBe(1);
    expect(partial.stdout).toContain(
      "error: the run took only some of the recipe's components (mhi; not mhi_net, wwan, bam_dmux): the reference model is derived from all of them",
    );
    expect(partial.stdout).toContain("hint: derive it from a run of the whole recipe (without --components)");
    expect(existsSync(join(dirname(recipe), "models"))).toBe(false);
    const v = await validate(prep);
    expect(v.violations).toEqual([
      expect.objectContaining({
        check: "api",
        subject: "drivers/bus/mhi/host/main.c",
        detail: expect.stringMatching(/main\.c:\d+: fsleep \(fsleep, mainline 5\.8\)/),
      }),
    ]);
    expect(v.exitCode).toBe(1);
  });
});
