import type { Edit } from "../../c/edit.js";
import { findCalls, splitArguments } from "../../c/navigate.js";
import type { Rule } from "../rule.js";

/** Gives each one-argument __assign_str(field) back the source its event's __string(field, src) names. */
export const traceAssignStrOneArg: Rule = {
  id: "trace-assign-str-one-arg",
  kind: "rewrite",
  feature: "trace_assign_str_one_arg",
  summary:
    "__assign_str(field) becomes __assign_str(field, src) with the src of the event's __string(field, src)",
  rewrite({ text: src, code }) {
    const text = (a: number, b: number) => src.slice(code[a]!.start, code[b]!.end);
    const strings = findCalls(code, "__string").flatMap((call) => {
      const args = splitArguments(code, call.open, call.close);
      return args.length === 2
        ? [{ at: call.name, field: text(...args[0]!), source: text(...args[1]!) }]
        : [];
    });
    const edits: Edit[] = [];
    for (const call of findCalls(code, "__assign_str")) {
      const args = splitArguments(code, call.open, call.close);
      if (args.length !== 1) continue;
      const field = text(...args[0]!);
      // The event's own __string() is the closest one before the assignment.
      const decl = strings.filter((s) => s.at < call.name && s.field === field).at(-1);
      if (!decl) continue;
      edits.push({ start: code[call.close]!.start, end: code[call.close]!.start, text: `, ${decl.source}` });
    }
    return edits;
  },
};
