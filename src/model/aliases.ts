import type { DeviceId } from "./types.js";

/** A PCI id field as modpost's ADD() prints a 32-bit field: 8 uppercase hex digits. */
const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");

/**
 * The module alias modpost writes for an id (scripts/mod/file2alias.c), as `modinfo -F alias` lists it.
 * pci: do_pci_entry; an absent subvendor/subdevice is PCI_ANY_ID, and the class fields are never matched.
 * mhi and rpmsg: MHI_DEVICE_MODALIAS_FMT "mhi:%s" and RPMSG_DEVICE_MODALIAS_FMT "rpmsg:%s".
 * of: do_of_entry_multi with no name or type. It writes a second alias, the first with "C*" appended, so that
 * nodes with more compatibles match too; this returns the first.
 */
export function modalias(id: DeviceId): string {
  switch (id.bus) {
    case "pci": {
      const sub =
        id.subvendor === undefined ? "sv*sd*" : `sv${hex8(id.subvendor)}sd${hex8(id.subdevice ?? 0)}`;
      return `pci:v${hex8(id.vendor)}d${hex8(id.device)}${sub}bc*sc*i*`;
    }
    case "mhi":
      return `mhi:${id.channel}`;
    case "rpmsg":
      return `rpmsg:${id.name}`;
    case "of":
      // modpost turns whitespace into underscores.
      return `of:N*T*C${id.compatible}`.replace(/\s/g, "_");
  }
}
