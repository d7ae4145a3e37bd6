import type { Edit } from "../../c/edit.js";
import { functionDefinitions, initializerCallbacks } from "../../c/declarations.js";
import { kernelApi } from "../../kernel/api.js";
import type { Rule } from "../rule.js";

const API = kernelApi("IFLA_PARENT_DEV_NAME");
const ATTRIBUTES: ReadonlySet<string> = new Set(API.uses);
/** rtnl_link_ops members rtnetlink calls with its own tb[IFLA_MAX + 1]. */
const RTNETLINK_CALLBACKS = ["validate", "newlink", "changelink", "slave_validate", "slave_changelink"];

/**
 * Out of tree on a kernel without the attributes, the driver still builds its own netlink messages with
 * them (the WWAN default link), so they get upstream's numbers and the driver's tables room for them
 * (KBACKPORT_IFLA_MAX). rtnetlink's own tables stop at the kernel's IFLA_MAX: in the callbacks it calls,
 * tb[IFLA_PARENT_DEV_NAME] reads as absent instead of past the end of the array.
 */
export const iflaParentDevName: Rule = {
  id: "ifla-parent-dev-name",
  kind: "kernel-patch",
  feature: API.id,
  summary: "rtnetlink reports and accepts a link's parent device by name (ip link add ... parentdev wwan0)",
  patch: {
    file: "0001-rtnetlink-add-IFLA_PARENT_DEV_NAME-and-IFLA_PARENT_DEV_BUS_NAME.patch",
    degraded:
      "without the kernel patch, `ip link add ... parentdev wwan0 type wwan` is refused (EINVAL): only the default link the WWAN core creates for each modem exists",
  },
  rewrite({ code }) {
    if (!code.some((t) => ATTRIBUTES.has(t.text))) return [];
    const edits: Edit[] = [];
    const callbacks = new Set(
      RTNETLINK_CALLBACKS.flatMap((m) => initializerCallbacks(code, "rtnl_link_ops", m)),
    );
    for (const fn of callbacks) {
      for (const def of functionDefinitions(code, fn)) {
        for (let i = def.close + 1; i + 3 <= def.bodyEnd; i++) {
          if (
            code[i]!.kind === "ident" &&
            code[i + 1]!.text === "[" &&
            ATTRIBUTES.has(code[i + 2]!.text) &&
            code[i + 3]!.text === "]"
          ) {
            edits.push({ start: code[i]!.start, end: code[i + 3]!.end, text: "((struct nlattr *)NULL)" });
          }
        }
      }
    }
    for (const t of code) {
      if (t.text === "IFLA_MAX") edits.push({ start: t.start, end: t.end, text: "KBACKPORT_IFLA_MAX" });
    }
    return edits;
  },
  compat: {
    header: "linux/if_link.h",
    definition: `/* Upstream's numbers, so iproute2 and a kernel patched later agree with the driver. */
#define IFLA_PARENT_DEV_NAME 56
#define IFLA_PARENT_DEV_BUS_NAME 57
#define KBACKPORT_IFLA_MAX (IFLA_MAX > IFLA_PARENT_DEV_BUS_NAME ? IFLA_MAX : IFLA_PARENT_DEV_BUS_NAME)`,
  },
};
