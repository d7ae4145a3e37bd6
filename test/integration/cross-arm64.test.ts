import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_SYMVERS } from "../../src/stages/build.js";
import type { Check } from "../../src/validate/check.js";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { kernelTree510 } from "../helpers/debian.js";
import { ALL_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

// In-tree outputs hold a copy of a kernel tree (over a GiB each): not left behind in /tmp.
const bulky: string[] = [];
afterAll(() => {
  for (const dir of bulky) rmSync(dir, { recursive: true, force: true });
});

let tree: string;
beforeAll(async () => {
  // An arm64 tree from Debian's linux-source-5.10: Debian's arm64 headers need arm64 host tools.
  // With the MHI core and its QRTR user built in, as vendor trees (QSDK) carry them.
  tree = await kernelTree510("linux-5.10-arm64", "arm64", {
    settings: ["CONFIG_MHI_BUS=m", "CONFIG_QRTR_MHI=m"],
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
    // ... and the run says what that means among its warnings (the summary prints each), not quietly.
    expect(report.warnings).toContain(NO_SYMVERS);

    // The modules and sources against the reference model: all hold, the symbol check has nothing to use.
    const v = await kbackport(["validate", out, "--json"]);
    const { ok, checks } = JSON.parse(v.stdout) as { ok: boolean; checks: Check[] };
    expect(checks.filter((c) => c.status === "violation")).toEqual([]);
    expect(checks.filter((c) => c.status === "skipped").map((c) => c.check)).toEqual(
      ALL_MODULES.map(() => "symbols"),
    );
    expect(checks.find((c) => c.check === "symbols")?.detail).toBe(
      "NOT CHECKED: the target has no Module.symvers, so nothing says its kernel exports what the module needs, and the module carries no symbol versions",
    );
    expect(checks.find((c) => c.check === "vermagic" && c.subject === "qcom_bam_dmux")?.detail).toMatch(
      / aarch64$/,
    );
    expect(ok).toBe(true);
    expect(v.exitCode).toBe(0);
  });

  it("--in-tree patches a copy of the tree, turns the kernel's own MHI off (--duplicates in-tree) and builds there", async () => {
    const out = tempDir("out-arm64-intree");
    bulky.push(out);
    const rtnetlink = readFileSync(join(tree, "net/core/rtnetlink.c"), "utf8");
    const config = readFileSync(join(tree, ".config"), "utf8");
    const { exitCode, report } = await kbackportJson(
      [
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        tree,
        "--in-tree",
        "--duplicates",
        "in-tree",
        "--out",
        out,
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: tempDir("arm64-cache3") },
    );
    expect(report.errors).toEqual([]);
    expect(exitCode).toBe(0);
    const kernel = join(out, "kernel");
    expect(report.inTree).toMatchObject({
      kernelDir: kernel,
      inPlace: false,
      backportDir: "kbackport/mhi-wwan",
      disabled: ["CONFIG_MHI_BUS=m", "CONFIG_QRTR_MHI=m"],
      patches: [
        {
          name: expect.stringMatching(/^patches\/kernel\/0001-rtnetlink-add-IFLA_PARENT_DEV_NAME/),
          state: "applied",
        },
        {
          name: expect.stringMatching(/^patches\/kernel\/0002-rtnetlink-add-alloc-method/),
          state: "applied",
        },
        { name: "patches/in-tree/0001-kbackport-mhi-wwan.patch", state: "applied" },
      ],
    });
    expect(report.duplicates).toEqual([
      {
        component: "mhi",
        inKernel: ["CONFIG_MHI_BUS=m"],
        choice: "in-tree",
        brokenConsumers: ["CONFIG_QRTR_MHI=m"],
      },
    ]);
    // The patched copy is what the modules were built against: its probes find the rtnetlink additions.
    expect(report.target!.dir).toBe(kernel);
    const rules = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    expect(rules["ifla-parent-dev-name"]).toMatchObject({ needed: false });
    expect(rules["rtnl-link-alloc"]).toMatchObject({ needed: false, sites: [] });
    expect(report.modules.map((m) => m.name)).toEqual(ALL_MODULES);
    expect(existsSync(join(kernel, "kbackport/mhi-wwan/drivers/net/mhi_net.ko"))).toBe(true);
    expect(readFileSync(join(kernel, ".config"), "utf8")).toMatch(/^# CONFIG_MHI_BUS is not set$/m);
    // A tree that was only prepared gets no image: the report says the kernel still has to be built.
    expect(report.inTree!.rebuild.image).toBeUndefined();
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringContaining("had not been built")]));
    // The user's tree is untouched.
    expect(readFileSync(join(tree, "net/core/rtnetlink.c"), "utf8")).toBe(rtnetlink);
    expect(readFileSync(join(tree, ".config"), "utf8")).toBe(config);
    expect(existsSync(join(tree, "kbackport"))).toBe(false);

    // In place on the copy, into a given output.
    const inPlace = (into: string) =>
      kbackportJson(
        [
          "run",
          "recipes/mhi-wwan.yaml",
          "--kernel",
          kernel,
          "--in-tree",
          "--in-place",
          "--out",
          into,
          ...fixtureSources(),
        ],
        { KBACKPORT_CACHE_DIR: tempDir("arm64-cache4") },
      );

    // The copy lives in the output: building into that same output would replace the tree being used.
    const inside = await inPlace(out);
    expect(inside.exitCode).toBe(1);
    expect(inside.report.errors[0]).toMatchObject({
      message: `the output directory ${out} contains the kernel tree (${kernel})`,
      hint: "an output replaces its directory as a whole: choose a directory outside it",
    });
    expect(existsSync(join(kernel, "kbackport/mhi-wwan/drivers/net/mhi_net.ko"))).toBe(true);

    // The same patches on the copy, in place: all are found applied, and nothing is applied twice.
    const kernelRtnetlink = ["net/core/rtnetlink.c", "include/net/rtnetlink.h"].map((f) =>
      readFileSync(join(kernel, f)),
    );
    const again = await inPlace(tempDir("out-arm64-inplace"));
    expect(again.report.errors).toEqual([]);
    expect(again.report.kernelPatches).toEqual([]);
    expect(again.report.inTree!.patches).toEqual([
      { name: "patches/in-tree/0001-kbackport-mhi-wwan.patch", state: "already applied" },
    ]);
    expect(
      ["net/core/rtnetlink.c", "include/net/rtnetlink.h"].map((f) => readFileSync(join(kernel, f))),
    ).toEqual(kernelRtnetlink);
    expect(again.report.modules.map((m) => m.name)).toEqual(report.modules.map((m) => m.name));
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

describe("arm64 against a built kernel", () => {
  // A small arm64 5.10 kernel with what BAM-DMUX and the RPMSG ports need (Qualcomm SMSM for
  // QCOM_SMEM_STATE, a DMA engine, PM, RPMSG), built so that it has a Module.symvers.
  let image: string;
  beforeAll(async () => {
    image = await kernelTree510("linux-5.10-arm64-image", "arm64", {
      base: "tinyconfig",
      image: true,
      configFile: "fixtures/arm64-kernel.config",
    });
  });

  it("builds every module with no undefined symbol, and validate checks them against its Module.symvers", async () => {
    const out = tempDir("out-arm64-image");
    const { exitCode, report } = await kbackportJson(
      ["run", "recipes/mhi-wwan.yaml", "--kernel", image, "--out", out, ...fixtureSources()],
      { KBACKPORT_CACHE_DIR: tempDir("arm64-cache5") },
    );
    expect(report.errors).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.target).toMatchObject({ arch: "arm64", symvers: true });
    expect(report.modules.map((m) => m.name)).toEqual(ALL_MODULES);
    expect(report.buildWarnings.filter((w) => /undefined|Module\.symvers/.test(w.message))).toEqual([]);

    const v = await kbackport(["validate", out, "--json"]);
    const { ok, checks } = JSON.parse(v.stdout) as { ok: boolean; checks: Check[] };
    expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(checks.filter((c) => c.check === "symbols").map((c) => c.subject)).toEqual(ALL_MODULES);
    expect(ok).toBe(true);
    expect(v.exitCode).toBe(0);
  });
});
