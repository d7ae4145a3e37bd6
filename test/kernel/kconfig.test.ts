import { describe, expect, it } from "vitest";
import { modulesForTarget } from "../../src/build/select-modules.js";
import { evaluate, parseKconfig, type Tristate } from "../../src/kernel/kconfig.js";

const KCONFIG = `menu "Wireless WAN"
config WWAN
	tristate "WWAN Driver Core"
if WWAN
config MHI_WWAN_CTRL
	tristate "MHI WWAN control driver"
	depends on MHI_BUS
config QCOM_BAM_DMUX
	tristate "Qualcomm BAM-DMUX WWAN network driver"
	depends on (DMA_ENGINE && PM && QCOM_SMEM_STATE) || COMPILE_TEST
endif # WWAN
config AFTER
	bool "outside the if block"
endmenu
`;

describe("Kconfig", () => {
  it("collects depends on lines and enclosing if blocks", () => {
    const entries = parseKconfig(KCONFIG);
    expect(entries.get("WWAN")).toEqual({ symbol: "WWAN", depends: [], line: 2 });
    expect(entries.get("MHI_WWAN_CTRL")!.depends).toEqual(["WWAN", "MHI_BUS"]);
    expect(entries.get("QCOM_BAM_DMUX")!.depends).toEqual([
      "WWAN",
      "(DMA_ENGINE && PM && QCOM_SMEM_STATE) || COMPILE_TEST",
    ]);
    expect(entries.get("AFTER")!.depends).toEqual([]);
  });

  it("evaluates expressions with tristate logic", () => {
    const values: Record<string, Tristate> = { A: 2, B: 1, C: 0 };
    const v = (s: string) => values[s] ?? 0;
    expect(evaluate("A && B", v)).toBe(1);
    expect(evaluate("C || B", v)).toBe(1);
    expect(evaluate("!C && (A || C)", v)).toBe(2);
    expect(evaluate("!A", v)).toBe(0);
    expect(evaluate("B = m", v)).toBe(2);
    expect(evaluate("A != y", v)).toBe(0);
  });

  it("builds only the modules whose dependencies the target meets, counting the backport's own as built", () => {
    const mod = (name: string, config: string) => ({ name, config, dir: "drivers/net/wwan", component: "c" });
    const modules = [
      mod("wwan", "CONFIG_WWAN"),
      mod("mhi_wwan_ctrl", "CONFIG_MHI_WWAN_CTRL"),
      mod("qcom_bam_dmux", "CONFIG_QCOM_BAM_DMUX"),
    ];
    const kconfigs = new Map([["drivers/net/wwan/Kconfig", KCONFIG]]);
    const target = new Map([
      ["CONFIG_DMA_ENGINE", "y"],
      ["CONFIG_PM", "y"],
      ["CONFIG_MHI_BUS", "m"],
    ]);
    const { build, skipped } = modulesForTarget(modules, kconfigs, target, {});
    expect(build.map((m) => m.name)).toEqual(["wwan", "mhi_wwan_ctrl"]);
    expect(skipped).toEqual([
      {
        name: "qcom_bam_dmux",
        component: "c",
        config: "CONFIG_QCOM_BAM_DMUX",
        reason:
          "depends on (DMA_ENGINE && PM && QCOM_SMEM_STATE) || COMPILE_TEST (DMA_ENGINE=y, PM=y, QCOM_SMEM_STATE=n, COMPILE_TEST=n)",
        where: "drivers/net/wwan/Kconfig:8",
      },
    ]);
    // Without the core, everything inside `if WWAN` goes too.
    const noCore = modulesForTarget(
      modules.slice(1),
      kconfigs,
      new Map([...target, ["CONFIG_QCOM_SMEM_STATE", "y"]]),
      {},
    );
    expect(noCore.build).toEqual([]);
    expect(noCore.skipped.map((s) => s.reason)).toEqual([
      "depends on WWAN (WWAN=n)",
      "depends on WWAN (WWAN=n)",
    ]);
  });
});
