import type { Edit } from "../../c/edit.js";
import { findCalls, splitArguments } from "../../c/navigate.js";
import { codeTokens, tokenize, type Token } from "../../c/tokenize.js";
import type { Rule } from "../rule.js";

/** u64_stats helper → the plain C it stands for, given the counter as an lvalue and the other arguments. */
const HELPERS: Record<string, (counter: string, args: string[]) => string> = {
  u64_stats_read: (c) => `(${c})`,
  u64_stats_set: (c, [v]) => `(${c}) = (${v})`,
  u64_stats_add: (c, [v]) => `(${c}) += (${v})`,
  u64_stats_sub: (c, [v]) => `(${c}) -= (${v})`,
  u64_stats_inc: (c) => `(${c})++`,
  u64_stats_dec: (c) => `(${c})--`,
};

/** Kernels before 5.5 count with plain u64 inside u64_stats_update_begin/end: turn u64_stats_t back into that. */
export const u64Stats: Rule = {
  id: "u64-stats",
  kind: "rewrite",
  feature: "u64_stats_t",
  upstream: '316580b69d0a ("u64_stats: provide u64_stats_t type")',
  summary:
    "u64_stats_t counters become u64; u64_stats_read/set/add/sub/inc/dec become plain reads and assignments",
  rewrite(src) {
    const code = codeTokens(tokenize(src));
    const text = (first: number, last: number) => src.slice(code[first]!.start, code[last]!.end);
    const edits: Edit[] = code
      .filter((t) => t.kind === "ident" && t.text === "u64_stats_t")
      .map((t) => ({ start: t.start, end: t.end, text: "u64" }));
    for (const [helper, expand] of Object.entries(HELPERS)) {
      for (const call of findCalls(code, helper)) {
        const args = splitArguments(code, call.open, call.close);
        if (args.length === 0) continue;
        const [[first, last], ...rest] = args as [[number, number], ...[number, number][]];
        const counter = lvalue(code, first, last, text);
        edits.push({
          start: code[call.name]!.start,
          end: code[call.close]!.end,
          text: expand(
            counter,
            rest.map(([a, b]) => text(a, b)),
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
  text: (a: number, b: number) => string,
): string {
  if (code[first]!.text === "&" && first < last) return text(first + 1, last);
  return `*(${text(first, last)})`;
}
