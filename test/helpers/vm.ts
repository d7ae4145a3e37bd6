import { MODEM_CHECKS } from "./modules.js";

/** What `validate --vm --json` prints, as far as the VM tests read it. */
export interface VmResult {
  ok: boolean;
  vm: {
    completed: boolean;
    modules: { name: string; loaded: boolean; error?: string }[];
    checks: {
      id: string;
      ok: boolean;
      outcome: string;
      expected: string;
      detail?: string;
      console?: string[];
    }[];
  };
}

/** Every check of a VM run of the MHI, mhi_net and WWAN components, in the order the guest runs them. */
export const VM_CHECKS = [
  "mhi-bus",
  "mhi-pci-generic-driver",
  "mhi_net-driver",
  "wwan-class",
  "wwan_hwsim-class",
  "hwsim-wwan-device",
  "hwsim-at-port",
  "hwsim-link-add-del",
  // On a kernel without the rtnetlink patches the WWAN core still creates the default link.
  "hwsim-default-link",
  "mhi_wwan_ctrl-driver",
  "mhi_wwan_mbim-driver",
  ...MODEM_CHECKS,
  "modules-unload",
  "console-clean",
];
