import type { Edit } from "../../c/edit.js";
import { findCalls, splitArguments } from "../../c/navigate.js";
import type { Rule } from "../rule.js";

/** Older rtnl_configure_link() takes (dev, ifm): the portid and nlh only feed the notification's origin. */
export const rtnlConfigureLinkPortid: Rule = {
  id: "rtnl-configure-link-portid",
  kind: "rewrite",
  feature: "rtnl_configure_link.portid",
  summary: "rtnl_configure_link(dev, ifm, portid, nlh) becomes rtnl_configure_link(dev, ifm)",
  rewrite({ code }) {
    const edits: Edit[] = [];
    for (const call of findCalls(code, "rtnl_configure_link")) {
      const args = splitArguments(code, call.open, call.close);
      if (args.length !== 4) continue;
      edits.push({ start: code[args[1]![1]]!.end, end: code[call.close]!.start, text: "" });
    }
    return edits;
  },
};
