import type { KernelPatchRule } from "../rule.js";

export const rtnlLinkAlloc: KernelPatchRule = {
  id: "rtnl-link-alloc",
  kind: "kernel-patch",
  feature: "rtnl_link_ops.alloc",
  upstream: '8c713dc93ca9 ("rtnetlink: add alloc() method to rtnl_link_ops")',
  summary:
    "rtnetlink lets a link type allocate its own net_device (WWAN links are allocated by the modem driver)",
  patch: "0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch",
  uses: [".alloc ="],
  degraded:
    "without the kernel patch, rtnetlink allocates WWAN links itself: links added with `ip link add ... type wwan` do not get the modem driver's net_device and stay unusable",
};
