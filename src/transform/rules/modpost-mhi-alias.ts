import type { Edit } from "../../c/edit.js";
import { structInitializers } from "../../c/declarations.js";
import { findCalls, matchingClose, splitArguments } from "../../c/navigate.js";
import type { Rule } from "../rule.js";

/**
 * Before 5.7 modpost ignores MODULE_DEVICE_TABLE(mhi, ...): MHI client drivers get no mhi: aliases and
 * never load on their own. The kernel patch teaches modpost the table; without it, the aliases are
 * written out as MODULE_ALIAS() lines from the table's .chan entries.
 */
export const modpostMhiAlias: Rule = {
  id: "modpost-mhi-alias",
  kind: "kernel-patch",
  feature: "modpost_mhi",
  summary: "modpost reads MHI device tables: MODULE_DEVICE_TABLE(mhi, ...) gives mhi:<channel> aliases",
  patch: {
    file: "0003-modpost-add-MHI-device-table-support.patch",
    degraded:
      "without the kernel patch the mhi: aliases come from generated MODULE_ALIAS() lines: autoloading works the same",
  },
  rewrite({ text: src, code }) {
    const text = (a: number, b: number) => src.slice(code[a]!.start, code[b]!.end);
    const tables = new Map(structInitializers(code, "mhi_device_id").map((t) => [t.name, t]));
    const edits: Edit[] = [];
    // Aliases already written out (by an earlier run, or by hand) are not written twice.
    const written = new Set(
      findCalls(code, "MODULE_ALIAS").map((call) => text(call.open + 1, call.close - 1)),
    );
    for (const call of findCalls(code, "MODULE_DEVICE_TABLE")) {
      const [type, name] = splitArguments(code, call.open, call.close);
      if (!type || !name || text(...type) !== "mhi") continue;
      const table = tables.get(text(...name));
      if (!table) continue;
      const channels: string[] = [];
      for (let e = table.open + 1; e < table.close; e++) {
        if (code[e]!.text !== "{") continue;
        const close = matchingClose(code, e);
        for (let j = e + 1; j + 3 <= close; j++) {
          if (
            code[j]!.text === "." &&
            code[j + 1]!.text === "chan" &&
            code[j + 2]!.text === "=" &&
            code[j + 3]!.kind === "string"
          ) {
            channels.push(JSON.parse(code[j + 3]!.text) as string);
          }
        }
        e = close;
      }
      const end = code[call.close + 1]?.text === ";" ? call.close + 1 : call.close;
      const aliases = channels
        .filter((c) => !written.has(JSON.stringify(`mhi:${c}`)))
        .map((c) => `MODULE_ALIAS("mhi:${c}");`)
        .join("\n");
      if (aliases) edits.push({ start: code[end]!.end, end: code[end]!.end, text: `\n${aliases}` });
    }
    return edits;
  },
};
