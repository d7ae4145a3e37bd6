import type { Edit } from "../c/edit.js";
import { codeTokens, tokenize } from "../c/tokenize.js";
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
    rewrite(src) {
      const code = codeTokens(tokenize(src));
      const edits: Edit[] = [];
      for (let i = 0; i + 4 < code.length; i++) {
        const [c, s, type, name] = [code[i]!, code[i + 1]!, code[i + 2]!, code[i + 3]!];
        if (c.text !== "const" || s.text !== "struct" || type.text !== structType || name.kind !== "ident")
          continue;
        let after = i + 4;
        while (code[after]?.kind === "ident") after++; // attributes such as __read_mostly
        if (code[after]?.text !== "=" && code[after]?.text !== ";") continue;
        edits.push({ start: c.start, end: s.start, text: "" });
      }
      return edits;
    },
  };
}
