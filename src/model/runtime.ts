/**
 * What must be visible in a running kernel once each module is loaded, from the upstream sources at the
 * pin (the driver names and registrations cited per fact). The VM check turns these into probes.
 */
export type RuntimeFact =
  | { kind: "path"; id: string; path: string; source: string }
  | { kind: "at-command"; id: string; port: string; command: string; reply: string; source: string }
  | {
      kind: "link-add";
      id: string;
      parent: string;
      name: string;
      linkId: number;
      /** Kernel features rtnetlink needs for it; without them the kernel must refuse the request. */
      requires: readonly string[];
      source: string;
    };

export const RUNTIME_FACTS: Readonly<Record<string, readonly RuntimeFact[]>> = {
  mhi: [
    {
      kind: "path",
      id: "mhi-bus",
      path: "/sys/bus/mhi",
      source: 'drivers/bus/mhi/host/init.c: bus_type mhi_bus_type .name = "mhi"',
    },
  ],
  mhi_pci_generic: [
    {
      kind: "path",
      id: "mhi-pci-generic-driver",
      path: "/sys/bus/pci/drivers/mhi-pci-generic",
      source: 'drivers/bus/mhi/host/pci_generic.c: pci_driver mhi_pci_driver .name = "mhi-pci-generic"',
    },
  ],
  mhi_net: [
    {
      kind: "path",
      id: "mhi_net-driver",
      path: "/sys/bus/mhi/drivers/mhi_net",
      source: 'drivers/net/mhi_net.c: mhi_driver .name = "mhi_net"',
    },
  ],
  wwan: [
    {
      kind: "path",
      id: "wwan-class",
      path: "/sys/class/wwan",
      source: 'drivers/net/wwan/wwan_core.c: class wwan_class .name = "wwan"',
    },
  ],
  mhi_wwan_ctrl: [
    {
      kind: "path",
      id: "mhi_wwan_ctrl-driver",
      path: "/sys/bus/mhi/drivers/mhi_wwan_ctrl",
      source: 'drivers/net/wwan/mhi_wwan_ctrl.c: mhi_driver .name = "mhi_wwan_ctrl"',
    },
  ],
  mhi_wwan_mbim: [
    {
      kind: "path",
      id: "mhi_wwan_mbim-driver",
      path: "/sys/bus/mhi/drivers/mhi_wwan_mbim",
      source: 'drivers/net/wwan/mhi_wwan_mbim.c: mhi_driver .name = "mhi_wwan_mbim"',
    },
  ],
  wwan_hwsim: [
    {
      kind: "path",
      id: "hwsim-wwan-device",
      path: "/sys/class/wwan/wwan0",
      source: "drivers/net/wwan/wwan_hwsim.c: one simulated WWAN device per 'devices' (default 2)",
    },
    {
      kind: "at-command",
      id: "hwsim-at-port",
      port: "/dev/wwan0at0",
      command: "AT",
      reply: "OK",
      source: "drivers/net/wwan/wwan_hwsim.c: the AT port replies OK to each command",
    },
    {
      kind: "link-add",
      id: "hwsim-link-add-del",
      parent: "wwan0",
      name: "wwan0-1",
      linkId: 1,
      requires: ["IFLA_PARENT_DEV_NAME", "rtnl_link_ops.alloc"],
      source: "drivers/net/wwan/wwan_core.c: wwan_rtnl_link_ops (.alloc, .validate on IFLA_PARENT_DEV_NAME)",
    },
    {
      kind: "path",
      id: "hwsim-default-link",
      path: "/sys/class/net/wwan0",
      source:
        "drivers/net/wwan/wwan_hwsim.c: wwan_register_ops(..., 1) asks the WWAN core for default link 1",
    },
  ],
};
