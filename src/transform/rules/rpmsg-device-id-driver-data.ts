import type { Edit } from "../../c/edit.js";
import { structInitializers, topLevelStart } from "../../c/declarations.js";
import { matchingClose } from "../../c/navigate.js";
import type { Token } from "../../c/tokenize.js";
import type { Rule } from "../rule.js";

/** `.member = value` inside [from, to): indices of the `.` and of the value's first and last tokens. */
function member(code: readonly Token[], from: number, to: number, name: string) {
  for (let j = from; j + 3 < to; j++) {
    if (code[j]!.text !== "." || code[j + 1]!.text !== name || code[j + 2]!.text !== "=") continue;
    let last = j + 3;
    while (last + 1 < to && code[last + 1]!.text !== ",") last++;
    return { dot: j, first: j + 3, last };
  }
  return undefined;
}

/**
 * Before 5.14 an rpmsg_device_id had only a name. The driver_data of the id table's entries moves into a
 * lookup by name generated after the table, and `x->id.driver_data` calls it with the matched name.
 */
export const rpmsgDeviceIdDriverData: Rule = {
  id: "rpmsg-device-id-driver-data",
  kind: "rewrite",
  feature: "rpmsg_device_id.driver_data",
  summary: "id table driver_data moves into a generated <table>_driver_data(name) lookup",
  rewrite({ text: src, code }) {
    const text = (a: number, b: number) => src.slice(code[a]!.start, code[b]!.end);
    const edits: Edit[] = [];
    const tables = structInitializers(code, "rpmsg_device_id");
    // With several tables in one file a use cannot be tied to its table: leave those for the compiler to show.
    if (tables.length !== 1) return [];
    const table = tables[0]!;
    const cases: string[] = [];
    for (let e = table.open + 1; e < table.close; e++) {
      if (code[e]!.text !== "{") continue;
      const close = matchingClose(code, e);
      const name = member(code, e + 1, close, "name");
      const data = member(code, e + 1, close, "driver_data");
      if (name && data) {
        cases.push(
          `\tif (!strcmp(name, ${text(name.first, name.last)}))\n\t\treturn ${text(data.first, data.last)};`,
        );
        const from = code[data.dot - 1]!.text === "," ? data.dot - 1 : data.dot;
        edits.push({ start: code[from]!.start, end: code[data.last]!.end, text: "" });
      }
      e = close;
    }
    if (cases.length === 0) return [];
    const end = code[table.close + 1]?.text === ";" ? table.close + 1 : table.close;
    edits.push({
      start: code[end]!.end,
      end: code[end]!.end,
      text: `\n\nstatic kernel_ulong_t ${table.name}_driver_data(const char *name)\n{\n${cases.join("\n")}\n\treturn 0;\n}`,
    });
    let declared = false;
    for (let i = 2; i < code.length; i++) {
      if (code[i]!.text !== "driver_data" || code[i - 1]!.text !== "." || code[i - 2]!.text !== "id")
        continue;
      if (!declared && i < table.open) {
        const at = code[topLevelStart(code, i)]!.start;
        edits.push({
          start: at,
          end: at,
          text: `static kernel_ulong_t ${table.name}_driver_data(const char *name);\n\n`,
        });
        declared = true;
      }
      let start = i - 2;
      while (
        start >= 2 &&
        (code[start - 1]!.text === "->" || code[start - 1]!.text === ".") &&
        code[start - 2]!.kind === "ident"
      ) {
        start -= 2;
      }
      edits.push({
        start: code[start]!.start,
        end: code[i]!.end,
        text: `${table.name}_driver_data(${text(start, i - 2)}.name)`,
      });
    }
    return edits;
  },
};
