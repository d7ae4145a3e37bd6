import { basename } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { KbackportError } from "../../src/errors.js";
import { modalias } from "../../src/model/aliases.js";
import { CScope, structLayout } from "../../src/model/c-facts.js";
import { deriveModel } from "../../src/model/derive.js";
import { kconfigDepends } from "../../src/model/derive-module.js";
import { diffModels } from "../../src/model/diff.js";
import type { DriverModel, ModuleModel, TreeReader } from "../../src/model/types.js";
import { frozenModelAt, shippedModelsAgainst } from "../helpers/frozen-model.js";
import { gitTreeReader } from "../helpers/git-tree.js";

/** The fixture's commit at a version (newest when none). */
function fixturePin(version?: "6.1"): string {
  const { commit, commits } = inject("upstream");
  return version ? Object.entries(commits).find(([tag]) => tag.startsWith(`v${version}.`))![1] : commit;
}

/** The fixture's tag at a version (newest when none): the kernel version of Debian's package. */
function fixtureTag(version?: "6.1"): string {
  const { tag, commits } = inject("upstream");
  return version ? Object.keys(commits).find((t) => t.startsWith(`v${version}.`))! : tag;
}

/** The fixture tree at a version (newest when none), each file read from git once. */
function fixtureTree(version?: "6.1"): TreeReader {
  const read = gitTreeReader(inject("upstream").repo, fixturePin(version));
  const texts = new Map<string, string | undefined>();
  return (path) => {
    if (!texts.has(path)) texts.set(path, read(path));
    return texts.get(path);
  };
}

/** A tree of inline files. */
const tree =
  (files: Record<string, string>): TreeReader =>
  (path) =>
    files[path];

/** A tree with some files replaced, or removed when undefined. */
const overlay =
  (base: TreeReader, files: Record<string, string | undefined>): TreeReader =>
  (path) =>
    path in files ? files[path] : base(path);

const moduleOf = (model: DriverModel, name: string): ModuleModel =>
  model.modules.find((m) => m.name === name)!;

describe(`shipped frozen models, against the fixture from Debian's ${inject("upstream").debian.join(", ")}`, () => {
  it("each version of the fixture holds the very files one shipped model was derived from", () => {
    const { repo, commits } = inject("upstream");
    for (const [tag, commit] of Object.entries(commits)) {
      const nearest = shippedModelsAgainst(repo, commit)[0]!;
      // A Debian update that changed any of them needs a new model, derived and reviewed: these files.
      expect(nearest.differs, `${tag}: files changed since ${basename(nearest.file)} was derived`).toEqual(
        [],
      );
    }
  });
});

describe("driver model", () => {
  let tree612: TreeReader;
  let derived: DriverModel;
  let frozen612: DriverModel;
  beforeAll(() => {
    tree612 = fixtureTree();
    derived = deriveModel(tree612);
    frozen612 = frozenModelAt(inject("upstream").repo, fixturePin()).frozen.model;
  });

  it("derives each frozen model from upstream at the pins whose files it names", () => {
    expect(diffModels(frozen612, derived)).toEqual([]);
    expect(derived).toEqual(frozen612);
    const frozen61 = frozenModelAt(inject("upstream").repo, fixturePin("6.1")).frozen.model;
    expect(deriveModel(fixtureTree("6.1"))).toEqual(frozen61);
    expect(frozen61).not.toEqual(frozen612);
  });

  it("tells what changed since 6.1", () => {
    const lines = diffModels(deriveModel(fixtureTree("6.1")), derived);
    console.log(`${fixtureTag("6.1")} → ${fixtureTag()}:\n  ${lines.join("\n  ")}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        "mhi: export mhi_poll removed",
        "mhi: export mhi_power_down_keep_dev added",
        "mhi: export mhi_get_channel_doorbell_offset added",
        "mhi_pci_generic: PCI id 105b:e0ab info mhi_foxconn_sdx55_info → mhi_foxconn_t99w175_info",
        "mhi_pci_generic: PCI id 17cb:011a sub 1c5d:2020 (mhi_telit_fn920c04_info) added",
        "mhi_pci_generic: PCI id 17cb:0309 (mhi_qcom_sdx75_info) added",
        "mhi_pci_generic: PCI id 203e:1001 (mhi_netprisma_fcun69_info) added",
        "rpmsg_wwan_ctrl: RPMSG channel DATA1 added",
      ]),
    );
    // The wire protocol and the module set did not move.
    expect(lines.filter((l) => !/^(mhi|mhi_pci_generic|rpmsg_wwan_ctrl): /.test(l))).toEqual([]);
  });

  it("holds the facts the drivers are known by", () => {
    const m = (name: string) => moduleOf(frozen612, name);
    expect(m("mhi").exports).toEqual(
      expect.arrayContaining(["mhi_register_controller", "mhi_queue_skb", "__mhi_driver_register"]),
    );
    expect(m("wwan").exports).toEqual(
      expect.arrayContaining(["wwan_create_port", "wwan_port_rx", "wwan_register_ops"]),
    );
    expect(m("mhi_pci_generic").deviceIds).toContainEqual({
      bus: "pci",
      vendor: 0x17cb,
      device: 0x0306,
      name: "mhi_qcom_sdx55_info",
    });
    expect(m("mhi_net").deviceIds).toEqual([
      { bus: "mhi", channel: "IP_HW0" },
      { bus: "mhi", channel: "IP_SW0" },
    ]);
    expect(m("mhi_wwan_ctrl").deviceIds.map((id) => id.bus === "mhi" && id.channel)).toEqual([
      "DUN",
      "DUN2",
      "MBIM",
      "QMI",
      "DIAG",
      "FIREHOSE",
    ]);
    expect(m("qcom_bam_dmux").deviceIds).toEqual([{ bus: "of", compatible: "qcom,bam-dmux" }]);
    expect(m("mhi_wwan_ctrl").requires).toEqual(["mhi", "wwan"]);
    expect(m("mhi_net").requires).toEqual(["mhi"]);
    expect(m("wwan_hwsim").params).toEqual([{ name: "devices", type: "int" }]);
    // Debug-only exports are kept apart: a build without WWAN_DEBUGFS must not be asked for them.
    expect(m("wwan").exportsIf).toEqual({
      CONFIG_WWAN_DEBUGFS: ["wwan_get_debugfs_dir", "wwan_put_debugfs_dir"],
    });
    expect(m("wwan").exports).not.toContain("wwan_get_debugfs_dir");
    expect(m("mhi").registers).toEqual([{ kind: "bus", name: "mhi" }]);
    expect(m("mhi_pci_generic").registers).toEqual([{ kind: "driver", bus: "pci", name: "mhi-pci-generic" }]);
    expect(m("qcom_bam_dmux").registers).toEqual([{ kind: "driver", bus: "platform", name: "bam-dmux" }]);

    const { bamDmux, mhi } = frozen612.protocol;
    expect(bamDmux.header.size).toBe(8);
    expect(bamDmux.magic.values).toEqual({ BAM_DMUX_HDR_MAGIC: 0x33fc });
    expect(bamDmux.commands.values).toEqual({
      BAM_DMUX_CMD_DATA: 0,
      BAM_DMUX_CMD_OPEN: 1,
      BAM_DMUX_CMD_CLOSE: 2,
    });
    expect(bamDmux.channels.values).toEqual({ BAM_DMUX_NUM_CH: 8 });
    expect(bamDmux.buffer.values).toEqual({ BAM_DMUX_BUFFER_SIZE: 2048 });
    expect(mhi.states.values).toMatchObject({
      MHI_STATE_RESET: 0,
      MHI_STATE_READY: 1,
      MHI_STATE_M0: 2,
      MHI_STATE_M1: 3,
      MHI_STATE_M2: 4,
      MHI_STATE_M3: 5,
      MHI_STATE_SYS_ERR: 0xff,
    });
    expect(mhi.executionEnvironments.values).toMatchObject({ MHI_EE_AMSS: 2, MHI_EE_MAX_SUPPORTED: 7 });
    expect(mhi.ringElement.size).toBe(16);
  });

  it("reads id tables past comments, with sub ids and vendor ids from pci_ids.h or the driver", () => {
    const pci = `
#define PCI_VENDOR_ID_EXAMPLE 0x1234 /* not in pci_ids.h */
static const struct pci_device_id mhi_pci_id_table[] = {
	/* { PCI_DEVICE(PCI_VENDOR_ID_QCOM, 0xdead) }, */
	{ PCI_DEVICE_SUB(PCI_VENDOR_ID_QCOM, 0x0306, 0x18d7, 0x0200),
		.driver_data = (kernel_ulong_t) &mhi_sierra_em919x_info },
	{ PCI_DEVICE(PCI_VENDOR_ID_EXAMPLE, 0x0001), // EXAMPLE (sdx55)
		.driver_data = (kernel_ulong_t) &example_info },
	{  }
};
MODULE_DEVICE_TABLE(pci, mhi_pci_id_table);
module_param_named(reset, modem_reset, bool, 0644);
MODULE_LICENSE("GPL");
`;
    const ids = `
static const struct mhi_device_id mhi_net_id_table[] = {
	{ .chan = "IP_HW0", /* .chan = "IP_OLD", */ .driver_data = (kernel_ulong_t)&mhi_hwip0 },
	{}
};
MODULE_DEVICE_TABLE(mhi, mhi_net_id_table);
MODULE_LICENSE("GPL v2");
`;
    const model = deriveModel(
      overlay(tree612, { "drivers/bus/mhi/host/pci_generic.c": pci, "drivers/net/mhi_net.c": ids }),
    );
    expect(moduleOf(model, "mhi_pci_generic")).toMatchObject({
      sources: ["drivers/bus/mhi/host/pci_generic.c", "include/linux/pci_ids.h"],
      deviceIds: [
        { bus: "pci", vendor: 0x17cb, device: 0x0306, subvendor: 0x18d7, subdevice: 0x0200 },
        { bus: "pci", vendor: 0x1234, device: 0x0001, name: "example_info" },
      ],
      params: [{ name: "reset", type: "bool" }],
      requires: [],
      license: "GPL",
    });
    expect(moduleOf(model, "mhi_net").deviceIds).toEqual([{ bus: "mhi", channel: "IP_HW0" }]);
  });

  it("keeps exports under a CONFIG_ conditional apart, and reads registrations old and new", () => {
    const core = `
static struct class *wwan_class;
EXPORT_SYMBOL_GPL(wwan_create_port);
#ifdef CONFIG_WWAN_DEBUGFS
EXPORT_SYMBOL_GPL(wwan_get_debugfs_dir);
#else
EXPORT_SYMBOL_GPL(wwan_stub);
#endif
#if IS_ENABLED(CONFIG_OF)
#if LINUX_VERSION_CODE > 0
EXPORT_SYMBOL(wwan_of_helper);
#endif
#endif
static int __init wwan_init(void) { wwan_class = class_create(THIS_MODULE, "wwan"); return 0; }
MODULE_LICENSE("GPL v2");
`;
    const model = deriveModel(overlay(tree612, { "drivers/net/wwan/wwan_core.c": core }));
    expect(moduleOf(model, "wwan")).toMatchObject({
      exports: ["wwan_create_port"],
      exportsIf: {
        CONFIG_WWAN_DEBUGFS: ["wwan_get_debugfs_dir"],
        "!CONFIG_WWAN_DEBUGFS": ["wwan_stub"],
        CONFIG_OF: ["wwan_of_helper"],
      },
      registers: [{ kind: "class", name: "wwan" }],
    });
  });

  it("names the file and the fact when a fact is missing", () => {
    const read = overlay(tree612, { "drivers/net/wwan/qcom_bam_dmux.c": 'MODULE_LICENSE("GPL v2");\n' });
    const err = (() => {
      try {
        deriveModel(read);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KbackportError);
    expect((err as KbackportError).describe()).toBe(
      "drivers/net/wwan/qcom_bam_dmux.c: struct bam_dmux_hdr not found",
    );
    expect(() => deriveModel(overlay(tree612, { "drivers/net/wwan/wwan_core.c": undefined }))).toThrow(
      /file not found, looking for the sources of module wwan/,
    );
  });
});

describe("C facts", () => {
  it("numbers enumerators, implicit ones from the last, explicit ones from earlier names and macros", () => {
    const scope = new CScope(
      tree({
        "a.h": `
#define BASE (SZ_2K >> 4) /* 128 */
enum example {
	EX_A,
	EX_B = 0x10,
	EX_C,          /* 17 */
	EX_D = EX_B << 2 | 1,
	EX_E = BASE + EX_C,
	EX_LAST = EX_E,
	EX_AFTER,
};
enum { ANON_X = -1, ANON_Y };
`,
        "sizes.h": "#define SZ_2K\t\t\t\t0x00000800\n",
      }),
      ["a.h", "sizes.h"],
    );
    expect(Object.fromEntries(scope.findEnum("a.h", { tag: "example" }))).toEqual({
      EX_A: 0,
      EX_B: 16,
      EX_C: 17,
      EX_D: 65,
      EX_E: 145,
      EX_LAST: 145,
      EX_AFTER: 146,
    });
    expect(Object.fromEntries(scope.findEnum("a.h", { member: "ANON_Y" }))).toEqual({
      ANON_X: -1,
      ANON_Y: 0,
    });
    expect(scope.source("SZ_2K")).toBe("sizes.h");
    expect(() => scope.value("NOPE")).toThrow("NOPE is not defined (looked in a.h, sizes.h)");
  });

  it("lays out packed structs with arrays, bitfields and attributes", () => {
    const scope = new CScope(
      tree({
        "s.h": `
#define N 3
struct example {
	__le64 wp __packed __aligned(4);
	u8 lo:4;
	u8 hi:4; /* u8 ignored; */
	__be16 words[N];
	u32 flag:1;
};
`,
      }),
      ["s.h"],
    );
    expect(structLayout(scope, "s.h", "example")).toEqual({
      name: "example",
      fields: [
        { name: "wp", type: "__le64" },
        { name: "lo", type: "u8", bits: 4 },
        { name: "hi", type: "u8", bits: 4 },
        { name: "words", type: "__be16", count: 3 },
        { name: "flag", type: "u32", bits: 1 },
      ],
      size: 8 + 1 + 6 + 1,
      source: "s.h",
    });
    expect(structLayout(scope, "s.h", "other")).toBeUndefined();
  });

  it("reads an entry's own depends on lines, not its help text or enclosing if", () => {
    const read = tree({
      Kconfig: `
if WWAN
config MHI_WWAN_CTRL
	tristate "MHI WWAN control driver" # depends on NOTHING
	depends on MHI_BUS
	depends on PCI || \\
		COMPILE_TEST
	help
	  It depends on the modem.

	  depends on X is prose here.
config NEXT
	depends on OTHER
endif
`,
    });
    expect(kconfigDepends(read, { kconfig: "Kconfig", symbol: "CONFIG_MHI_WWAN_CTRL" })).toEqual([
      "MHI_BUS",
      "PCI || COMPILE_TEST",
    ]);
    expect(() => kconfigDepends(read, { kconfig: "Kconfig", symbol: "CONFIG_GONE" })).toThrow(
      "config GONE not found",
    );
  });
});

describe("model differences", () => {
  it("names each change in a line", () => {
    const frozen612 = frozenModelAt(inject("upstream").repo, fixturePin()).frozen.model;
    const b = structuredClone(frozen612);
    const mhi = moduleOf(b, "mhi");
    mhi.exports = mhi.exports.filter((e) => e !== "mhi_queue_skb");
    moduleOf(b, "mhi_pci_generic").deviceIds.push({
      bus: "pci",
      vendor: 0x17cb,
      device: 0x0400,
      name: "next_info",
    });
    moduleOf(b, "mhi_net").deviceIds.reverse();
    moduleOf(b, "wwan_hwsim").params[0]!.type = "uint";
    b.protocol.bamDmux.header.fields[1]!.type = "u16";
    b.protocol.bamDmux.header.size = 9;
    b.protocol.mhi.states.values.MHI_STATE_M1 = 4;
    delete b.protocol.mhi.executionEnvironments.values.MHI_EE_FP;
    expect(diffModels(frozen612, b)).toEqual([
      "mhi: export mhi_queue_skb removed",
      "mhi_pci_generic: PCI id 17cb:0400 (next_info) added",
      "mhi_net: device ids: order changed",
      "wwan_hwsim: param devices type int → uint",
      "bam_dmux header: field signal type u8 → u16",
      "bam_dmux header: size 8 → 9",
      "mhi states: MHI_STATE_M1 = 3 → 4",
      "mhi execution environments: MHI_EE_FP = 7 removed",
    ]);
    expect(diffModels(b, b)).toEqual([]);
  });
});

describe("modalias", () => {
  it("writes the aliases modpost writes", () => {
    expect(modalias({ bus: "pci", vendor: 0x17cb, device: 0x0306, name: "mhi_qcom_sdx55_info" })).toBe(
      "pci:v000017CBd00000306sv*sd*bc*sc*i*",
    );
    expect(
      modalias({
        bus: "pci",
        vendor: 0x17cb,
        device: 0x0306,
        subvendor: 0x18d7,
        subdevice: 0x0200,
        name: "x",
      }),
    ).toBe("pci:v000017CBd00000306sv000018D7sd00000200bc*sc*i*");
    expect(modalias({ bus: "pci", vendor: 0x105b, device: 0xe0ab, name: "x" })).toBe(
      "pci:v0000105Bd0000E0ABsv*sd*bc*sc*i*",
    );
    expect(modalias({ bus: "mhi", channel: "IP_SW0" })).toBe("mhi:IP_SW0");
    expect(modalias({ bus: "of", compatible: "qcom,bam-dmux" })).toBe("of:N*T*Cqcom,bam-dmux");
    expect(modalias({ bus: "rpmsg", name: "DATA5_CNTL" })).toBe("rpmsg:DATA5_CNTL");
  });
});
