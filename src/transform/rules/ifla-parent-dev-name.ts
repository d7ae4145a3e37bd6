import type { KernelPatchRule } from "../rule.js";

export const iflaParentDevName: KernelPatchRule = {
  id: "ifla-parent-dev-name",
  kind: "kernel-patch",
  feature: "IFLA_PARENT_DEV_NAME",
  upstream: '00e77ed8e64d ("rtnetlink: add IFLA_PARENT_[DEV|DEV_BUS]_NAME")',
  summary: "rtnetlink reports and accepts a link's parent device by name (ip link add ... parentdev wwan0)",
  patch: "0001-rtnetlink-add-IFLA_PARENT_DEV_NAME-and-IFLA_PARENT_DEV_BUS_NAME.patch",
  uses: ["IFLA_PARENT_DEV_NAME", "IFLA_PARENT_DEV_BUS_NAME"],
  degraded:
    "without the kernel patch, `ip link add ... parentdev wwan0 type wwan` cannot name the WWAN device: only the default link the driver creates itself is available",
};
