import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { kbackportJson, ROOT, tempDir } from "../helpers/cli.js";
import { source510Tarball } from "../helpers/debian.js";
import { ALL_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

const tree = join(homedir(), ".cache", "kbackport-test", "linux-5.10-arm64");

beforeAll(async () => {
  // An arm64 tree from Debian's linux-source-5.10: Debian's arm64 headers need arm64 host tools.
  await execa(join(ROOT, "scripts/prepare-kernel-tree.sh"), [source510Tarball(), tree, "arm64"], {
    stdio: "inherit",
  });
});

describe("cross build for arm64", () => {
  it("takes ARCH from the tree's .config and Debian's aarch64 toolchain, and builds every module, BAM-DMUX included", async () => {
    const out = tempDir("out-arm64");
    const { exitCode, report } = await kbackportJson(
      ["run", "recipes/mhi-wwan.yaml", "--kernel", tree, "--out", out, ...fixtureSources()],
      { KBACKPORT_CACHE_DIR: tempDir("arm64-cache") },
    );
    expect(report.errors).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.target).toMatchObject({
      arch: "arm64",
      crossCompile: "aarch64-linux-gnu-",
      compiler: "aarch64-linux-gnu-gcc",
      kind: "tree",
    });
    expect(report.make).toEqual(expect.arrayContaining(["ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-"]));
    expect(report.modules.map((m) => m.name)).toEqual(ALL_MODULES);
    expect(report.skipped).toEqual([]);
    const rules = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    for (const id of ["devm-qcom-smem-state-get", "platform-remove-new", "rpmsg-device-id-driver-data"]) {
      expect(rules[id]).toMatchObject({ needed: true, applied: true, components: ["bam_dmux"] });
    }
    const alias = async (m: string) =>
      (await execa("modinfo", ["-F", "alias", join(out, `modules/${m}.ko`)])).stdout.split("\n");
    expect(await alias("qcom_bam_dmux")).toContain("of:N*T*Cqcom,bam-dmux");
    expect(await alias("rpmsg_wwan_ctrl")).toEqual(
      expect.arrayContaining(["rpmsg:DATA5_CNTL", "rpmsg:DATA4", "rpmsg:DATA1"]),
    );
    for (const m of report.modules) {
      const header = (await execa("readelf", ["-h", join(out, m.path)])).stdout;
      expect(header).toMatch(/Machine:\s+AArch64/);
      const vermagic = (await execa("modinfo", ["-F", "vermagic", join(out, m.path)])).stdout;
      expect(vermagic).toMatch(/^5\.10\.\d+ SMP preempt mod_unload aarch64/);
    }
    const aliases = (await execa("modinfo", ["-F", "alias", join(out, "modules/mhi_net.ko")])).stdout.split(
      "\n",
    );
    expect(aliases.sort()).toEqual(["mhi:IP_HW0", "mhi:IP_SW0"]);
    // No Module.symvers in a tree that was only prepared: modpost says it could not check symbols.
    expect(report.target!.symvers).toBe(false);
    expect(report.buildWarnings.some((w) => w.message.includes("Module.symvers"))).toBe(true);
  });

  it("fails clearly when the cross compiler is not installed", async () => {
    const { exitCode, report } = await kbackportJson(
      [
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        tree,
        "--components",
        "mhi",
        "--cross-compile",
        "aarch64-none-elf-",
        "--out",
        tempDir("out-nocc"),
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: tempDir("arm64-cache2") },
    );
    expect(exitCode).toBe(1);
    expect(report.errors[0]).toMatchObject({ message: "compiler aarch64-none-elf-gcc not found" });
    expect(report.errors[0]!.hint).toContain("--cross-compile");
  });
});
