import type { Edit } from "../../c/edit.js";
import { constBeforeStruct } from "../../c/declarations.js";
import type { Rule } from "../rule.js";

/**
 * A rule for driver-core objects upstream made const once their registration functions stopped writing
 * into them. Older bus_register()/class_register() write into the object: a const object lands in
 * read-only memory and the first write crashes at load. Definitions and extern declarations of
 * `const struct <type> NAME` lose their const; pointers to them keep it.
 */
export function writableObjectRule(fields: Omit<Rule, "kind" | "rewrite"> & { structType: string }): Rule {
  const { structType, ...rule } = fields;
  return {
    ...rule,
    kind: "rewrite",
    rewrite({ code }) {
      const edits: Edit[] = [];
      for (const i of constBeforeStruct(code, 0, code.length - 1, structType)) {
        let after = i + 3;
        // The object's name, then attributes such as __read_mostly; a pointer has `*` here instead.
        while (code[after]?.kind === "ident") after++;
        if (after === i + 3 || (code[after]?.text !== "=" && code[after]?.text !== ";")) continue;
        edits.push({ start: code[i]!.start, end: code[i + 1]!.start, text: "" });
      }
      return edits;
    },
  };
}
