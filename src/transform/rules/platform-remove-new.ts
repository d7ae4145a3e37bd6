import type { Edit } from "../../c/edit.js";
import { designatedMembers, structInitializers } from "../../c/declarations.js";
import type { Rule } from "../rule.js";

/** Before 6.3 platform_driver had only .remove, returning int: a wrapper calls the void remove function. */
export const platformRemoveNew: Rule = {
  id: "platform-remove-new",
  kind: "rewrite",
  feature: "platform_driver.remove_new",
  summary: ".remove_new = f becomes .remove = f_backport_remove, a wrapper that calls f and returns 0",
  rewrite({ code }) {
    const edits: Edit[] = [];
    for (const init of structInitializers(code, "platform_driver")) {
      for (const m of designatedMembers(code, init, "remove_new")) {
        const fn = code[m.value]!.text;
        const wrapper = `${fn}_backport_remove`;
        edits.push({
          start: code[init.first]!.start,
          end: code[init.first]!.start,
          text: `static int ${wrapper}(struct platform_device *pdev)\n{\n\t${fn}(pdev);\n\treturn 0;\n}\n\n`,
        });
        edits.push({ start: code[m.dot + 1]!.start, end: code[m.value]!.end, text: `remove = ${wrapper}` });
      }
    }
    return edits;
  },
};
