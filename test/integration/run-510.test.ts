import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../../src/report.js";
import { kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510, headers61 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

const RECIPE = "recipes/mhi-wwan.yaml";
const env = () => ({ KBACKPORT_CACHE_DIR: cache });
let cache: string;

beforeAll(() => {
  cache = tempDir("run-cache");
});

const modinfo = async (ko: string, field: string) =>
  (await execa("modinfo", ["-F", field, ko])).stdout.split("\n");
const rule = (report: RunReport, id: string) => report.rules.find((r) => r.id === id)!;
const siteFiles = (report: RunReport, id: string) =>
  [...new Set(rule(report, id).sites.map((s) => s.file))].sort();

describe("kbackport run against Debian bullseye's 5.10 headers", () => {
  it("builds mhi.ko and mhi_pci_generic.ko for the headers' kernel, with the SDX55 alias", async () => {
    const out = tempDir("out-510");
    const kernel = headers510();
    const { exitCode, report } = await kbackportJson(
      ["run", RECIPE, "--kernel", kernel, "--components", "mhi", "--out", out, ...fixtureSources()],
      env(),
    );
    expect(report.errors).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.modules.map((m) => m.name)).toEqual(["mhi", "mhi_pci_generic"]);
    // make's own time is reported within the build stage's.
    expect(report.makeSeconds).toBeGreaterThan(0);
    expect(report.makeSeconds).toBeLessThanOrEqual(report.stages.find((s) => s.id === "build")!.seconds);
    const release = readFileSync(join(kernel, "include/generated/utsrelease.h"), "utf8").match(/"(.*)"/)![1]!;
    expect(report.target!.release).toBe(release);
    for (const m of report.modules) {
      const [vermagic] = await modinfo(join(out, m.path), "vermagic");
      expect(vermagic!.startsWith(`${release} `)).toBe(true);
    }
    const aliases = await modinfo(join(out, "modules/mhi_pci_generic.ko"), "alias");
    expect(aliases).toContain("pci:v000017CBd00000306sv*sd*bc*sc*i*");
    // Debian's 5.10 ships its own MHI core: replaced by default, naming what that breaks.
    expect(report.duplicates).toEqual([
      {
        component: "mhi",
        inKernel: ["CONFIG_MHI_BUS=m"],
        choice: "replace",
        brokenConsumers: ["ath11k_pci (CONFIG_ATH11K_PCI=m)", "qrtr-mhi (CONFIG_QRTR_MHI=m)"],
      },
    ]);
    expect(report.warnings).toContain(
      "the target kernel has its own mhi (CONFIG_MHI_BUS=m): the backport's modules replace it (installed to updates/, they shadow the in-kernel ones); these in-kernel modules were built against it and will no longer load with the backport's: ath11k_pci (CONFIG_ATH11K_PCI=m), qrtr-mhi (CONFIG_QRTR_MHI=m)",
    );
    expect(await modinfo(join(out, "modules/mhi_pci_generic.ko"), "depends")).toEqual(["mhi"]);
    // The rules that make the 6.12 MHI core build on 5.10 all ran and changed something.
    for (const id of [
      "container-of-const",
      "trace-assign-str-one-arg",
      "bus-type-const",
      "bus-match-const-driver",
      "bus-uevent-const-device",
    ]) {
      expect(rule(report, id)).toMatchObject({ needed: true, applied: true, stale: false });
    }
    expect(siteFiles(report, "bus-type-const")).toEqual([
      "drivers/bus/mhi/host/init.c",
      "drivers/bus/mhi/host/internal.h",
    ]);
    // 5.10.y has fsleep and u64_stats_t: the probe shows where.
    expect(rule(report, "fsleep")).toMatchObject({ needed: false, applied: false, sites: [] });
    expect(rule(report, "fsleep").evidence).toMatch(
      /^include\/linux\/delay\.h:\d+: static inline void fsleep\(unsigned long usecs\)/,
    );

    const builtAt = statSync(join(out, "modules/mhi.ko")).mtimeMs;
    const again = await kbackportJson(
      ["run", RECIPE, "--kernel", kernel, "--components", "mhi", "--out", out, ...fixtureSources()],
      env(),
    );
    expect(again.report.cached).toBe(true);
    // The time reported is the re-run's own: the stages that decided the reuse.
    expect(again.report.stages.map((s) => s.id)).toEqual(["recipe", "target"]);
    // Reused, not rebuilt: the output's modules were not written again.
    expect(again.report.modules.map((m) => m.name)).toEqual(["mhi", "mhi_pci_generic"]);
    expect(statSync(join(out, "modules/mhi.ko")).mtimeMs).toBe(builtAt);
  });

  it("applies the u64_stats_t and fsleep rules when told the target lacks them, and still builds", async () => {
    const kernel = headers510();
    const prepared = await kbackportJson(
      [
        "prepare",
        RECIPE,
        "--kernel",
        kernel,
        "--out",
        tempDir("prep-510"),
        "--assume-missing",
        "u64_stats_t,fsleep",
        ...fixtureSources(),
      ],
      env(),
    );
    expect(prepared.exitCode).toBe(0);
    expect(siteFiles(prepared.report, "u64-stats")).toEqual([
      "drivers/net/mhi_net.c",
      "drivers/net/wwan/mhi_wwan_mbim.c",
    ]);
    expect(rule(prepared.report, "u64-stats").components).toEqual(["mhi_net", "wwan"]);
    expect(siteFiles(prepared.report, "fsleep")).toEqual(["drivers/bus/mhi/host/main.c"]);
    expect(rule(prepared.report, "fsleep").evidence).toMatch(
      /^assumed missing; probe found include\/linux\/delay\.h:\d+/,
    );
    const tree = join(prepared.report.outDir!, "tree");
    expect(readFileSync(join(tree, "drivers/net/mhi_net.c"), "utf8")).not.toMatch(
      /u64_stats_(t|inc|add|read)\b/,
    );
    expect(readFileSync(join(tree, "kbackport/include/linux/delay.h"), "utf8")).toContain(
      "#define fsleep LINUX_BACKPORT(fsleep)",
    );

    const out = tempDir("out-510-assume");
    const built = await kbackportJson(
      [
        "run",
        RECIPE,
        "--kernel",
        kernel,
        "--components",
        "mhi",
        "--out",
        out,
        "--assume-missing",
        "u64_stats_t,fsleep",
        ...fixtureSources(),
      ],
      env(),
    );
    expect(built.report.errors).toEqual([]);
    expect(rule(built.report, "fsleep")).toMatchObject({ needed: true, applied: true });
    expect(built.report.modules.map((m) => m.name)).toEqual(["mhi", "mhi_pci_generic"]);
    const symbols = (await execa("nm", [join(out, "modules/mhi.ko")])).stdout;
    expect(symbols).not.toMatch(/ U fsleep$/m);
  });

  it("writes the rtnetlink kernel patches the 5.10 target needs, and they apply to Debian's 5.10 sources", async () => {
    const out = tempDir("prep-wwan");
    const { exitCode, report } = await kbackportJson(
      [
        "prepare",
        RECIPE,
        "--kernel",
        headers510(),
        "--components",
        "wwan",
        "--out",
        out,
        ...fixtureSources(),
      ],
      env(),
    );
    expect(exitCode).toBe(0);
    expect(report.kernelPatches).toEqual([
      {
        rule: "ifla-parent-dev-name",
        series: "5.10",
        file: "patches/kernel/0001-rtnetlink-add-IFLA_PARENT_DEV_NAME-and-IFLA_PARENT_DEV_BUS_NAME.patch",
      },
      {
        rule: "rtnl-link-alloc",
        series: "5.10",
        file: "patches/kernel/0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch",
      },
    ]);
    expect(siteFiles(report, "rtnl-link-alloc")).toEqual(["drivers/net/wwan/wwan_core.c"]);
    expect(report.warnings.some((w) => w.includes("ip link add"))).toBe(true);

    const src = tempDir("linux-5.10");
    const files = ["include/uapi/linux/if_link.h", "include/net/rtnetlink.h", "net/core/rtnetlink.c"];
    await execa("tar", [
      "-xJf",
      "/usr/src/linux-source-5.10.tar.xz",
      "-C",
      src,
      "--strip-components=1",
      ...files.map((f) => `linux-source-5.10/${f}`),
    ]);
    for (const p of report.kernelPatches) {
      await execa("patch", ["-p1", "--batch", "--forward", "-i", join(out, p.file!)], { cwd: src });
    }
    expect(readFileSync(join(src, "include/net/rtnetlink.h"), "utf8")).toContain(
      "(*alloc)(struct nlattr *tb[],",
    );
    expect(readFileSync(join(src, "include/uapi/linux/if_link.h"), "utf8")).toMatch(
      /IFLA_PROTO_DOWN_REASON,\n[\s\S]*IFLA_PARENT_DEV_NAME,\n\tIFLA_PARENT_DEV_BUS_NAME,/,
    );
  });
});

describe("components the target kernel already has", () => {
  it("--duplicates skip leaves the in-kernel MHI core in place and builds mhi_net against it", async () => {
    const { exitCode, report } = await kbackportJson(
      [
        "run",
        RECIPE,
        "--kernel",
        headers510(),
        "--components",
        "mhi_net",
        "--duplicates",
        "skip",
        "--out",
        tempDir("dup-skip"),
        ...fixtureSources(),
      ],
      env(),
    );
    expect(report.components).toEqual(["mhi_net"]);
    expect(report.duplicates).toEqual([
      { component: "mhi", inKernel: ["CONFIG_MHI_BUS=m"], choice: "skip", brokenConsumers: [] },
    ]);
    // 6.12's mhi_net needs the 6.12 MHI core API, which 5.10's own core lacks: the build says where.
    expect(exitCode).toBe(1);
    expect(
      report.errors[0]!.diagnostics!.some(
        (d) => d.file === "drivers/net/mhi_net.c" && /mhi_queue_is_full/.test(d.message),
      ),
    ).toBe(true);
  });
});

describe("kbackport against Debian bookworm's 6.1 headers", () => {
  it("finds u64_stats_t and fsleep in the target, with evidence, and changes nothing for them", async () => {
    const { exitCode, report } = await kbackportJson(
      ["prepare", RECIPE, "--kernel", headers61(), "--out", tempDir("prep-61"), ...fixtureSources()],
      env(),
    );
    expect(exitCode).toBe(0);
    const features = Object.fromEntries(report.target!.features.map((f) => [f.id, f]));
    expect(features.u64_stats_t).toMatchObject({
      present: true,
      evidence: expect.stringMatching(/^include\/linux\/u64_stats_sync\.h:\d+: \} u64_stats_t\s*;/),
    });
    expect(features.fsleep).toMatchObject({
      present: true,
      evidence: expect.stringMatching(/^include\/linux\/delay\.h:\d+: /),
    });
    for (const id of ["u64-stats", "fsleep"]) {
      expect(rule(report, id)).toMatchObject({ needed: false, applied: false, stale: false, sites: [] });
    }
    const { repo, commit } = inject("upstream");
    const upstreamText = (
      await execa("git", ["-C", repo, "show", `${commit}:drivers/net/mhi_net.c`], {
        stripFinalNewline: false,
      })
    ).stdout;
    expect(readFileSync(join(report.outDir!, "tree/drivers/net/mhi_net.c"), "utf8")).toBe(upstreamText);
  });
});

describe("probes against version numbers", () => {
  it("finds what 5.10 stable backported, where the version number alone would say it is missing", async () => {
    const { report } = await kbackportJson(
      [
        "prepare",
        RECIPE,
        "--kernel",
        headers510(),
        "--components",
        "mhi",
        "--out",
        tempDir("prep-stable"),
        ...fixtureSources(),
      ],
      env(),
    );
    const vcalloc = report.target!.features.find((f) => f.id === "vcalloc")!;
    expect(vcalloc).toMatchObject({ introduced: "5.18", byVersion: false, present: true });
    expect(vcalloc.evidence).toMatch(/^include\/linux\/vmalloc\.h:\d+: .*vcalloc\(/);
    expect(rule(report, "vcalloc")).toMatchObject({ needed: false, sites: [] });
  });
});

describe("the same recipe from the upstream fixture at 6.1", () => {
  it("builds every component for 5.10, and reports the rules 6.1 code does not need as stale", async () => {
    const { exitCode, report } = await kbackportJson(
      ["run", RECIPE, "--kernel", headers510(), "--out", tempDir("run-61"), ...fixtureSources("6.1")],
      env(),
    );
    expect(report.errors).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.modules.map((m) => m.name)).toEqual(X86_MODULES);
    const stale = report.rules.filter((r) => r.stale).map((r) => r.id);
    // 6.1 predates container_of_const, const bus/class objects and the one-argument __assign_str.
    expect(stale).toEqual(
      expect.arrayContaining([
        "container-of-const",
        "trace-assign-str-one-arg",
        "bus-type-const",
        "class-const",
      ]),
    );
    expect(report.warnings).toContain(
      "rule container-of-const is stale: the target needs it but nothing in the sources matched",
    );
    expect(report.rules.find((r) => r.id === "rtnl-link-alloc")).toMatchObject({
      needed: true,
      applied: true,
      stale: false,
    });
  });
});

describe("reproducible outputs", () => {
  it("builds byte-identical modules and kernel patches in two different output directories", async () => {
    const runs = [];
    for (const name of ["repro-a", "repro-b"]) {
      const out = join(tempDir(name), "out");
      const { report } = await kbackportJson(
        ["run", RECIPE, "--kernel", headers510(), "--components", "wwan", "--out", out, ...fixtureSources()],
        env(),
      );
      expect(report.errors).toEqual([]);
      runs.push({ out, report });
    }
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    // The wwan component and the mhi component it requires.
    expect(a.report.modules.map((m) => m.name)).toEqual(X86_MODULES.filter((m) => m !== "mhi_net"));
    expect(b.report.modules.map((m) => m.name)).toEqual(a.report.modules.map((m) => m.name));
    for (const m of a.report.modules) {
      expect(readFileSync(join(b.out, m.path))).toEqual(readFileSync(join(a.out, m.path)));
    }
    expect(a.report.kernelPatches.map((p) => p.rule)).toEqual(["ifla-parent-dev-name", "rtnl-link-alloc"]);
    for (const p of a.report.kernelPatches) {
      expect(readFileSync(join(a.out, p.file!))).toEqual(readFileSync(join(b.out, p.file!)));
    }
  });
});
