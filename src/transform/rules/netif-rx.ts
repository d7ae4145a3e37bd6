import type { Rule } from "../rule.js";

/** Before 5.18 netif_rx() was the call for this context: __netif_rx() was split off from it. */
export const netifRx: Rule = {
  id: "netif-rx",
  kind: "compat",
  feature: "__netif_rx",
  summary: "__netif_rx() calls netif_rx(), what drivers called in that context before 5.18",
  compat: {
    header: "linux/netdevice.h",
    definition: `#define __netif_rx LINUX_BACKPORT(__netif_rx)
static inline int __netif_rx(struct sk_buff *skb)
{
	return netif_rx(skb);
}`,
  },
};
