import type { Rule } from "../rule.js";

/**
 * The MHI device id table entry, with upstream's layout, so a modpost that knows MODULE_DEVICE_TABLE(mhi)
 * reads it the same way. A struct cannot take a LINUX_BACKPORT() name here: mhi.h may name the tag before
 * this header is included. The kernel's own MHI_DEVICE_MODALIAS_FMT guards it instead, so a kernel that has
 * the struct after all (a vendor tree carrying MHI) never sees two definitions.
 */
export const mhiDeviceId: Rule = {
  id: "mhi-device-id",
  kind: "compat",
  feature: "mhi_device_id",
  summary: "struct mhi_device_id and MHI_DEVICE_MODALIAS_FMT for kernels before 5.7",
  compat: {
    header: "linux/mod_devicetable.h",
    definition: `#ifndef MHI_DEVICE_MODALIAS_FMT
#define MHI_DEVICE_MODALIAS_FMT "mhi:%s"
#define MHI_NAME_SIZE 32
struct mhi_device_id {
	const char chan[MHI_NAME_SIZE];
	kernel_ulong_t driver_data;
};
#endif`,
  },
};
