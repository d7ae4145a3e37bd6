/**
 * In-kernel modules built against the MHI and WWAN cores: replacing a core with the backport's leaves
 * them with symbol versions the new core does not export, so they no longer load. Keyed by the Kconfig
 * symbol of the core they use.
 */
export const IN_KERNEL_CONSUMERS: Readonly<Record<string, readonly { module: string; config: string }[]>> = {
  CONFIG_MHI_BUS: [
    { module: "ath11k_pci", config: "CONFIG_ATH11K_PCI" },
    { module: "ath12k", config: "CONFIG_ATH12K" },
    { module: "qrtr-mhi", config: "CONFIG_QRTR_MHI" },
    { module: "qaic", config: "CONFIG_DRM_ACCEL_QAIC" },
    { module: "mhi_net", config: "CONFIG_MHI_NET" },
    { module: "mhi_wwan_ctrl", config: "CONFIG_MHI_WWAN_CTRL" },
    { module: "mhi_wwan_mbim", config: "CONFIG_MHI_WWAN_MBIM" },
    { module: "mhi_pci_generic", config: "CONFIG_MHI_BUS_PCI_GENERIC" },
  ],
  CONFIG_WWAN: [
    { module: "iosm", config: "CONFIG_IOSM" },
    { module: "mtk_t7xx", config: "CONFIG_MTK_T7XX" },
    { module: "mhi_wwan_ctrl", config: "CONFIG_MHI_WWAN_CTRL" },
    { module: "mhi_wwan_mbim", config: "CONFIG_MHI_WWAN_MBIM" },
    { module: "rpmsg_wwan_ctrl", config: "CONFIG_RPMSG_WWAN_CTRL" },
    { module: "qcom_bam_dmux", config: "CONFIG_QCOM_BAM_DMUX" },
    { module: "wwan_hwsim", config: "CONFIG_WWAN_HWSIM" },
  ],
};
