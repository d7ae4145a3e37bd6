import type { Edit, Kept } from "../../c/edit.js";
import { findCalls, splitArguments } from "../../c/navigate.js";
import type { Token } from "../../c/tokenize.js";
import { kernelApi } from "../../kernel/api.js";
import type { Rule } from "../rule.js";

const API = kernelApi("u64_stats_t");
type Helper = Exclude<(typeof API.uses)[number], "u64_stats_t">;
type Template = readonly (string | Kept)[];

/**
 * Each helper the API brings → the plain C it stands for, given the counter as an lvalue and the other
 * arguments; the arguments are kept source, so a helper or a u64_stats_t cast inside one is rewritten there.
 */
const HELPERS: Record<Helper, (counter: Template, args: Kept[]) => Template> = {
  u64_stats_read: (c) => ["(", ...c, ")"],
  u64_stats_set: (c, [v]) => ["(", ...c, ") = (", v!, ")"],
  u64_stats_add: (c, [v]) => ["(", ...c, ") += (", v!, ")"],
  u64_stats_sub: (c, [v]) => ["(", ...c, ") -= (", v!, ")"],
  u64_stats_inc: (c) => ["(", ...c, ")++"],
  u64_stats_dec: (c) => ["(", ...c, ")--"],
};

/** Kernels before 5.5 count with plain u64 inside u64_stats_update_begin/end: turn u64_stats_t back into that. */
export const u64Stats: Rule = {
  id: "u64-stats",
  kind: "rewrite",
  feature: API.id,
  summary:
    "u64_stats_t counters become u64; u64_stats_read/set/add/sub/inc/dec become plain reads and assignments",
  rewrite({ code }) {
    const kept = (first: number, last: number): Kept => ({ start: code[first]!.start, end: code[last]!.end });
    const edits: Edit[] = code
      .filter((t) => t.kind === "ident" && t.text === "u64_stats_t")
      .map((t) => ({ start: t.start, end: t.end, text: "u64" }));
    for (const [helper, expand] of Object.entries(HELPERS)) {
      for (const call of findCalls(code, helper)) {
        const args = splitArguments(code, call.open, call.close);
        if (args.length === 0) continue;
        const [[first, last], ...rest] = args as [[number, number], ...[number, number][]];
        // A call without the value its helper takes (expand's parameters: counter, values) is left alone.
        if (rest.length === 0 && expand.length > 1) continue;
        edits.push({
          start: code[call.name]!.start,
          end: code[call.close]!.end,
          text: expand(
            lvalue(code, first, last, kept),
            rest.map(([a, b]) => kept(a, b)),
          ),
        });
      }
    }
    return edits;
  },
};

/** `&x->y` → `x->y`; any other pointer expression p → `*(p)`. */
function lvalue(
  code: readonly Token[],
  first: number,
  last: number,
  kept: (a: number, b: number) => Kept,
): Template {
  if (code[first]!.text === "&" && first < last) return [kept(first + 1, last)];
  return ["*(", kept(first, last), ")"];
}
