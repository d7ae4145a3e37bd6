/** The recipe's modules in build order: all of them where the target has Qualcomm SoC support (arm64). */
export const ALL_MODULES = [
  "mhi",
  "mhi_pci_generic",
  "mhi_net",
  "wwan",
  "wwan_hwsim",
  "mhi_wwan_ctrl",
  "mhi_wwan_mbim",
  "qcom_bam_dmux",
  "rpmsg_wwan_ctrl",
];

/** Those a Debian x86 kernel allows: no RPMSG, no QCOM_SMEM_STATE. */
export const X86_MODULES = ALL_MODULES.filter((m) => m !== "qcom_bam_dmux" && m !== "rpmsg_wwan_ctrl");

/** The VM check's data-path checks through the software modem (sim/), in the order the guest runs them. */
export const MODEM_CHECKS = [
  "modem-mission-mode",
  "modem-mhi-devices",
  "modem-net-up",
  "modem-ping",
  "modem-counters",
  "modem-at",
  "modem-mbim",
  "modem-flood",
  "modem-rebind",
];
