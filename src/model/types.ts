/**
 * The reference model of the drivers: what each module and protocol must still be after a backport.
 * Every fact names the upstream file it was read from (`source`, a path in the kernel tree at the pin).
 */

/** One id a module's MODULE_DEVICE_TABLE must still match. */
export type DeviceId =
  | {
      bus: "pci";
      vendor: number;
      device: number;
      /** PCI_DEVICE_SUB entries; absent means any. */
      subvendor?: number;
      subdevice?: number;
      /** The modem it is for, from the driver's info struct name (e.g. mhi_qcom_sdx55_info). */
      name: string;
    }
  | { bus: "mhi"; channel: string }
  | { bus: "of"; compatible: string }
  | { bus: "rpmsg"; name: string };

export interface ModuleParam {
  name: string;
  /** module_param's type argument: uint, int, bool, charp, ... */
  type: string;
}

/** What a module registers with the driver core, so it shows in sysfs once loaded. */
export type Registration =
  | { kind: "bus"; name: string }
  | { kind: "class"; name: string }
  | { kind: "driver"; bus: string; name: string };

export interface ModuleModel {
  /** The .ko name, underscores: mhi_net. */
  name: string;
  /** Upstream files the facts below come from. */
  sources: string[];
  kconfig: {
    /** CONFIG_MHI_NET */
    symbol: string;
    /** The `depends on` expressions, as written upstream. */
    dependsOn: string[];
    /** Kconfig file the symbol is defined in. */
    source: string;
  };
  /** Modules of the model this one needs (modinfo `depends`, kernel-provided ones excluded). */
  requires: string[];
  /** EXPORT_SYMBOL / EXPORT_SYMBOL_GPL names outside any CONFIG_ conditional, sorted. */
  exports: string[];
  /** Exports inside `#ifdef CONFIG_X` (or IS_ENABLED): the condition, `!CONFIG_X` when negated → names. */
  exportsIf: Record<string, string[]>;
  /** MODULE_DEVICE_TABLE entries. */
  deviceIds: DeviceId[];
  params: ModuleParam[];
  /** Buses, classes and drivers its initializers name (`struct mhi_driver ... .driver.name = "mhi_net"`). */
  registers: Registration[];
  /** MODULE_LICENSE */
  license: string;
}

/** One field of a C struct, in declaration order; `bits` for bitfields. */
export interface StructField {
  name: string;
  type: string;
  bits?: number;
  /** Array length, e.g. 2 for `__le32 dword[2]`. */
  count?: number;
}

export interface StructLayout {
  name: string;
  fields: StructField[];
  /** Size in bytes, computed from the field types (packed, as the protocol defines them). */
  size: number;
  source: string;
}

/** An enum or a group of #defines: name → value. */
export interface Constants {
  values: Record<string, number>;
  source: string;
}

export interface ProtocolModel {
  bamDmux: {
    header: StructLayout;
    magic: Constants;
    commands: Constants;
    /** BAM_DMUX_NUM_CH */
    channels: Constants;
    /** BAM_DMUX_BUFFER_SIZE */
    buffer: Constants;
  };
  mhi: {
    /** enum mhi_state */
    states: Constants;
    /** enum mhi_ee_type */
    executionEnvironments: Constants;
    /** struct mhi_ring_element: the transfer ring element. */
    ringElement: StructLayout;
  };
}

export interface DriverModel {
  modules: ModuleModel[];
  protocol: ProtocolModel;
}

/** Reads a file of the upstream tree by its path in the tree; undefined when it does not exist. */
export type TreeReader = (path: string) => string | undefined;
