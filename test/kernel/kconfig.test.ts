import { describe, expect, it } from "vitest";
import { modulesForTarget } from "../../src/build/select-modules.js";
import { KbackportError } from "../../src/errors.js";
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
    const entries = parseKconfig(KCONFIG, "Kconfig");
    expect(entries.get("WWAN")).toEqual({ symbol: "WWAN", depends: [], within: [], selects: [], line: 2 });
    expect(entries.get("MHI_WWAN_CTRL")).toMatchObject({ depends: ["MHI_BUS"], within: ["WWAN"] });
    expect(entries.get("QCOM_BAM_DMUX")).toMatchObject({
      depends: ["(DMA_ENGINE && PM && QCOM_SMEM_STATE) || COMPILE_TEST"],
      within: ["WWAN"],
    });
    expect(entries.get("AFTER")).toMatchObject({ depends: [], within: [] });
  });

  it("joins lines continued with a backslash", () => {
    const entries = parseKconfig(
      `config A
	tristate "a"
	depends on NET && \\
		  (PCI || \\
	   COMPILE_TEST) # not a dependency
	select CRC32 \\
		if NET
`,
      "Kconfig",
    );
    expect(entries.get("A")).toMatchObject({
      depends: ["NET && (PCI || COMPILE_TEST)"],
      selects: [{ symbol: "CRC32", if: "NET" }],
    });
  });

  it("skips help text up to the first line indented less than its first line", () => {
    const entries = parseKconfig(
      `config A
        tristate "a"
        help
          depends on PROSE

            config IN_HELP
          if this were a block
        depends on AFTER_HELP
config B
	bool "b"
	---help---
	  endif
	  select PROSE
config C
	bool "c"
	help
config D
	depends on D_DEP
`,
      "Kconfig",
    );
    expect(entries.get("A")).toMatchObject({ depends: ["AFTER_HELP"], within: [], selects: [] });
    expect(entries.get("B")).toMatchObject({ depends: [], selects: [] });
    expect(entries.has("IN_HELP")).toBe(false);
    // Help text needs indentation: an empty help leaves the next entry alone.
    expect(entries.get("D")).toMatchObject({ depends: ["D_DEP"], line: 17 });
  });

  it("refuses a continued dependency that runs into help, naming its line", () => {
    const text = `config A
	tristate "a"
	depends on X && \\
	help
	  depends on the help text
`;
    expect(() => parseKconfig(text, "drivers/net/Kconfig")).toThrow(KbackportError);
    expect(() => parseKconfig(text, "drivers/net/Kconfig")).toThrow(
      expect.objectContaining({
        where: "drivers/net/Kconfig:3",
        message: expect.stringMatching(/incomplete/),
      }),
    );
  });

  it("adds if blocks and menu or choice dependencies to every entry inside, nested", () => {
    const entries = parseKconfig(
      `menuconfig NETDEVICES
	bool "Network devices"
if NETDEVICES
menu "Modems"
	depends on PCI
	visible if EXPERT
config MODEM
	tristate "modem"
	default y if PCI
	select FW if !EMBEDDED
	depends on MHI_BUS
if MODEM # nested
choice
	prompt "mode"
	depends on !SMALL
config MODE_A
	bool "a"
endchoice
endif # MODEM
comment "Modems need firmware"
	depends on !FW
endmenu
config LAST
	bool "last"
endif
config OUTSIDE
	bool "outside"
`,
      "Kconfig",
    );
    expect(entries.get("NETDEVICES")).toMatchObject({ within: [], depends: [] });
    expect(entries.get("MODEM")).toMatchObject({
      within: ["NETDEVICES", "PCI"],
      depends: ["MHI_BUS"],
      selects: [{ symbol: "FW", if: "!EMBEDDED" }],
    });
    expect(entries.get("MODE_A")).toMatchObject({
      within: ["NETDEVICES", "PCI", "MODEM", "!SMALL"],
      depends: [],
    });
    expect(entries.get("LAST")).toMatchObject({ within: ["NETDEVICES"], depends: [] });
    expect(entries.get("OUTSIDE")).toMatchObject({ within: [], depends: [] });
  });

  it("refuses unbalanced blocks, naming the line", () => {
    expect(() => parseKconfig("if A\nconfig B\nendmenu\n", "K")).toThrow(
      expect.objectContaining({ where: "K:3", message: "endmenu without a matching menu" }),
    );
    expect(() => parseKconfig('menu "m"\nconfig B\n', "K")).toThrow(
      expect.objectContaining({ where: "K:1", message: "menu block not closed by endmenu" }),
    );
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

  it("refuses expressions it cannot read rather than guessing", () => {
    const v = () => 2 as Tristate;
    expect(() => evaluate("A &&", v)).toThrow("incomplete Kconfig expression: A &&");
    expect(() => evaluate("(A || B", v)).toThrow("incomplete Kconfig expression");
    expect(() => evaluate("A B", v)).toThrow('unexpected "B"');
    expect(() => evaluate("GCC_VERSION < 90100", v)).toThrow('unsupported "<" in Kconfig expression');
    expect(() => evaluate("$(cc-option,-fstack-protector)", v)).toThrow('unsupported "$"');
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

describe("module selection", () => {
  const mod = (name: string) => ({ name, config: `CONFIG_${name.toUpperCase()}`, dir: "d", component: "c" });

  it("skips a module whose select the target cannot satisfy out of tree, when the select applies", () => {
    const kconfigs = new Map([
      [
        "d/Kconfig",
        `config DEVLINKED
	tristate "x"
	select NET_DEVLINK
config RELAYED
	tristate "y"
	select RELAY if DEBUGFS_ON
`,
      ],
    ]);
    const { build, skipped } = modulesForTarget([mod("devlinked"), mod("relayed")], kconfigs, new Map(), {});
    expect(build.map((m) => m.name)).toEqual(["relayed"]);
    expect(skipped).toMatchObject([
      { name: "devlinked", reason: "selects NET_DEVLINK (NET_DEVLINK=n)", where: "d/Kconfig:1" },
    ]);
    const withDevlink = modulesForTarget(
      [mod("devlinked")],
      kconfigs,
      new Map([["CONFIG_NET_DEVLINK", "y"]]),
      {},
    );
    expect(withDevlink.build.map((m) => m.name)).toEqual(["devlinked"]);
  });

  it("names the Kconfig entry whose dependency it cannot evaluate", () => {
    const kconfigs = new Map([
      ["d/Kconfig", `config CHECKED\n\ttristate "x"\n\tdepends on GCC_VERSION >= 90100\n`],
    ]);
    expect(() => modulesForTarget([mod("checked")], kconfigs, new Map(), {})).toThrow(
      expect.objectContaining({ where: "d/Kconfig:1", message: expect.stringMatching(/unsupported ">="/) }),
    );
  });
});
