import type { Edit } from "../../c/edit.js";
import { constBeforeStruct, functionDefinitions, initializerCallbacks } from "../../c/declarations.js";
import type { Rule } from "../rule.js";

/**
 * A rule for bus_type callbacks whose parameter gained const upstream: in the functions a bus_type
 * initializer assigns to `.member`, drop const from the parameters of `struct <paramType>`.
 */
export function busCallbackConstRule(
  fields: Omit<Rule, "kind" | "rewrite"> & { member: string; paramType: string },
): Rule {
  const { member, paramType, ...rule } = fields;
  return {
    ...rule,
    kind: "rewrite",
    rewrite({ code }) {
      const edits: Edit[] = [];
      for (const fn of new Set(initializerCallbacks(code, "bus_type", member))) {
        for (const def of functionDefinitions(code, fn)) {
          for (const i of constBeforeStruct(code, def.open, def.close, paramType)) {
            edits.push({ start: code[i]!.start, end: code[i + 1]!.start, text: "" });
          }
        }
      }
      return edits;
    },
  };
}
