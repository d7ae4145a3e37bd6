import type { Edit } from "../c/edit.js";
import { codeTokens, tokenize } from "../c/tokenize.js";
import type { RewriteRule } from "../rule.js";

/**
 * Before bus_register() took a const pointer, it wrote into the bus_type (its private data): a const object
 * lands in read-only memory and the first write crashes at load. Make bus objects writable again.
 */
export const busTypeConst: RewriteRule = {
  id: "bus-type-const",
  kind: "rewrite",
  feature: "bus_register_const",
  upstream: '00c4a3c47da7 ("driver core: bus: constantify bus_register()")',
  summary: "const struct bus_type objects (definitions and extern declarations) lose their const",
  rewrite(src) {
    const code = codeTokens(tokenize(src));
    const edits: Edit[] = [];
    for (let i = 0; i + 4 < code.length; i++) {
      const [c, s, type, name, after] = [code[i]!, code[i + 1]!, code[i + 2]!, code[i + 3]!, code[i + 4]!];
      if (c.text !== "const" || s.text !== "struct" || type.text !== "bus_type" || name.kind !== "ident")
        continue;
      if (after.text !== "=" && after.text !== ";") continue;
      edits.push({ start: c.start, end: s.start, text: "" });
    }
    return edits;
  },
};
