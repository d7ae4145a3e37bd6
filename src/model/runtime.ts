import type { ModuleModel } from "./types.js";

/**
 * What must be visible in a running kernel once each module is loaded: its registrations, from the model,
 * and the behaviour of the WWAN simulator, from the upstream sources at the pin (cited per fact). The VM
 * check turns these into probes.
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

/** Where each bus, class and driver a module registers shows in sysfs once it is loaded. */
export function registrationFacts(module: ModuleModel): RuntimeFact[] {
  const source = module.sources[0]!;
  return module.registers.map((r): RuntimeFact => {
    if (r.kind === "driver")
      return {
        kind: "path",
        id: `${r.name}-driver`,
        path: `/sys/bus/${r.bus}/drivers/${r.name}`,
        source: `${source}: ${r.bus}_driver .name = "${r.name}"`,
      };
    return {
      kind: "path",
      id: `${r.name}-${r.kind}`,
      path: r.kind === "bus" ? `/sys/bus/${r.name}` : `/sys/class/${r.name}`,
      source: `${source}: ${r.kind === "bus" ? "bus_type" : "class"} .name = "${r.name}"`,
    };
  });
}

/** What a module does once loaded, beyond its registrations: the behaviour the VM check exercises. */
export const BEHAVIOUR_FACTS: Readonly<Record<string, readonly RuntimeFact[]>> = {
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
