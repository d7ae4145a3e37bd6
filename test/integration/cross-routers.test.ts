import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { kbackportJson, tempDir } from "../helpers/cli.js";
import { armTree510, mipselTree510 } from "../helpers/debian.js";
import { ALL_MODULES, X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

// Router targets from Debian's linux-source-5.10: 32-bit ARM (ipq40xx-like, Qualcomm SoCs) and
// little-endian MIPS (the Malta tree the OpenWrt tests use). Each builds every module its Kconfig allows,
// with Debian's toolchain for what its .config says.
interface Router {
  name: string;
  tree: () => Promise<string>;
  arch: string;
  cross: string;
  /** readelf's name for the ELF machine: EM_ARM (40) or EM_MIPS (8). */
  machine: string;
  modules: string[];
  /** The Kconfig symbols the target lacks, per module it cannot have. */
  lacking: Record<string, string>;
}

const ROUTERS: Router[] = [
  {
    name: "32-bit ARM (ARMv7, Qualcomm SoCs, PCI)",
    tree: armTree510,
    arch: "arm",
    cross: "arm-linux-gnueabihf-",
    machine: "ARM",
    modules: ALL_MODULES,
    lacking: {},
  },
  {
    name: "little-endian MIPS (Malta, PCI)",
    tree: mipselTree510,
    arch: "mips",
    cross: "mipsel-linux-gnu-",
    machine: "MIPS R3000",
    modules: X86_MODULES,
    lacking: { qcom_bam_dmux: "QCOM_SMEM_STATE=n", rpmsg_wwan_ctrl: "RPMSG=n" },
  },
];

/** readelf's ELF header fields by name ("Class", "Data", "Machine", "Type"). */
async function elfHeader(file: string): Promise<Record<string, string>> {
  const { stdout } = await execa("readelf", ["-h", file]);
  return Object.fromEntries(
    [...stdout.matchAll(/^\s+([^:]+):\s+(.*)$/gm)].map((m) => [m[1]!.trim(), m[2]!.trim()]),
  );
}

/** The vermagic the tree's own Kbuild gives a module: a one-file module built with plain make M=. */
async function treeVermagic(tree: string, arch: string, cross: string): Promise<string> {
  const dir = tempDir("vermagic");
  writeFileSync(join(dir, "Kbuild"), "obj-m := probe.o\n");
  writeFileSync(join(dir, "probe.c"), '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n');
  await execa("make", ["-s", "-C", tree, `M=${dir}`, `ARCH=${arch}`, `CROSS_COMPILE=${cross}`, "modules"]);
  return (await execa("modinfo", ["-F", "vermagic", join(dir, "probe.ko")])).stdout;
}

describe.each(ROUTERS)("cross build for $name", (router) => {
  let tree: string;
  let out: string;
  let run: Awaited<ReturnType<typeof kbackportJson>>;
  beforeAll(async () => {
    tree = await router.tree();
    out = tempDir(`out-${router.arch}`);
    run = await kbackportJson(
      ["run", "recipes/mhi-wwan.yaml", "--kernel", tree, "--out", out, ...fixtureSources()],
      { KBACKPORT_CACHE_DIR: tempDir(`${router.arch}-cache`) },
    );
  });

  it("takes Debian's toolchain for what the tree's .config says", () => {
    expect(run.report.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(tree, ".config"), "utf8")).toMatch(/^CONFIG_PCI=y$/m);
    expect(run.report.target).toMatchObject({
      arch: router.arch,
      crossCompile: router.cross,
      compiler: `${router.cross}gcc`,
    });
    expect(run.report.make).toEqual(
      expect.arrayContaining([`ARCH=${router.arch}`, `CROSS_COMPILE=${router.cross}`]),
    );
  });

  it("builds every module its Kconfig allows and says why it skips the others", () => {
    expect(run.report.modules.map((m) => m.name)).toEqual(router.modules);
    expect(run.report.skipped.map((s) => s.name)).toEqual(Object.keys(router.lacking));
    for (const skipped of run.report.skipped) {
      expect(skipped.reason).toContain(router.lacking[skipped.name]);
      expect(skipped.where).toMatch(/^drivers\/net\/wwan\/Kconfig:\d+$/);
    }
  });

  it("gives each module the tree's ELF machine, 32-bit little-endian, and the tree's vermagic", async () => {
    const vermagic = await treeVermagic(tree, router.arch, router.cross);
    expect(vermagic).toMatch(/^5\.10\.\d+ /);
    expect(run.report.modules).toHaveLength(router.modules.length);
    for (const m of run.report.modules) {
      const file = join(out, m.path);
      expect(await elfHeader(file), m.name).toMatchObject({
        Class: "ELF32",
        Data: "2's complement, little endian",
        Type: "REL (Relocatable file)",
        Machine: router.machine,
      });
      expect((await execa("modinfo", ["-F", "vermagic", file])).stdout, m.name).toBe(vermagic);
    }
  });
});
