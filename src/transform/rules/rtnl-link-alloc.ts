import type { Edit } from "../../c/edit.js";
import { designatedMembers, structInitializers } from "../../c/declarations.js";
import { findCalls, splitArguments } from "../../c/navigate.js";
import type { Rule } from "../rule.js";

/**
 * Out of tree on a kernel without rtnl_link_ops.alloc, the member goes, and the driver's own
 * rtnl_create_link() calls for that link type allocate through the alloc function as the patched kernel
 * would (rtnl_create_link_alloc in the compat header). Links requested through rtnetlink never reach the
 * driver's allocator: the ifla-parent-dev-name fallback refuses them.
 */
export const rtnlLinkAlloc: Rule = {
  id: "rtnl-link-alloc",
  kind: "kernel-patch",
  feature: "rtnl_link_ops.alloc",
  summary:
    "rtnetlink lets a link type allocate its own net_device (WWAN links are allocated by the modem driver)",
  patch: {
    file: "0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch",
    degraded:
      "without the kernel patch, the WWAN core creates each modem's default link itself; links cannot be added through rtnetlink",
  },
  rewrite({ code }) {
    const edits: Edit[] = [];
    const allocOf = new Map<string, string>();
    for (const init of structInitializers(code, "rtnl_link_ops")) {
      for (const m of designatedMembers(code, init, "alloc")) {
        allocOf.set(init.name, code[m.value]!.text);
        const end = m.comma !== undefined ? code[m.comma + 1]!.start : code[m.value]!.end;
        edits.push({ start: code[m.dot]!.start, end, text: "" });
      }
    }
    for (const call of findCalls(code, "rtnl_create_link")) {
      const args = splitArguments(code, call.open, call.close);
      const ops = args[3];
      if (args.length !== 6 || !ops || code[ops[0]]!.text !== "&" || ops[1] !== ops[0] + 1) continue;
      const alloc = allocOf.get(code[ops[1]]!.text);
      if (!alloc) continue;
      edits.push({
        start: code[call.name]!.start,
        end: code[call.name]!.end,
        text: "rtnl_create_link_alloc",
      });
      edits.push({ start: code[call.close]!.start, end: code[call.close]!.start, text: `, ${alloc}` });
    }
    return edits;
  },
  compat: {
    header: "net/rtnetlink.h",
    definition: `#define rtnl_create_link_alloc LINUX_BACKPORT(rtnl_create_link_alloc)
/* rtnl_create_link() of a kernel with rtnl_link_ops.alloc, for a link type that has one. */
static inline struct net_device *
rtnl_create_link_alloc(struct net *net, const char *ifname, unsigned char name_assign_type,
		       const struct rtnl_link_ops *ops, struct nlattr *tb[],
		       struct netlink_ext_ack *extack,
		       struct net_device *(*alloc)(struct nlattr *tb[], const char *ifname,
						   unsigned char name_assign_type,
						   unsigned int num_tx_queues,
						   unsigned int num_rx_queues))
{
	struct net_device *dev = alloc(tb, ifname, name_assign_type, 1, 1);

	if (IS_ERR(dev))
		return dev;
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, net);
	dev->rtnl_link_ops = ops;
	dev->rtnl_link_state = RTNL_LINK_INITIALIZING;
	return dev;
}`,
  },
};
