import { execa } from "execa";
import { KbackportError } from "../errors.js";

/** What a built module says about itself: its .modinfo and its symbol table. */
export interface ModuleInfo {
  vermagic: string;
  aliases: string[];
  /** Modules it needs, as modpost wrote them. */
  depends: string[];
  license: string;
  /** Symbols it exports (its __ksymtab_ entries). */
  exports: string[];
  /** Symbols it takes from the kernel or other modules. */
  undefined: string[];
}

/** Reads a .ko with modinfo and readelf, which read any architecture's ELF. */
export async function readModuleInfo(path: string): Promise<ModuleInfo> {
  const modinfo = await execa("modinfo", [path], { reject: false, env: { LC_ALL: "C" } });
  if (modinfo.exitCode !== 0) throw new KbackportError(`modinfo ${path} failed: ${modinfo.stderr}`);
  const fields = new Map<string, string[]>();
  for (const line of modinfo.stdout.split("\n")) {
    const m = /^([\w.]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!, [...(fields.get(m[1]!) ?? []), m[2]!.trim()]);
  }
  const one = (key: string) => fields.get(key)?.[0] ?? "";
  const symbols = await execa("readelf", ["-sW", path], { reject: false, env: { LC_ALL: "C" } });
  if (symbols.exitCode !== 0) throw new KbackportError(`readelf -s ${path} failed: ${symbols.stderr}`);
  const exports: string[] = [];
  const undefinedSymbols: string[] = [];
  for (const line of symbols.stdout.split("\n")) {
    // Num: Value Size Type Bind Vis Ndx Name
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8 || !/^\d+:$/.test(cols[0]!)) continue;
    const [ndx, name] = [cols[6]!, cols[7]!];
    if (ndx === "UND" && name) undefinedSymbols.push(name);
    else if (name.startsWith("__ksymtab_")) exports.push(name.slice("__ksymtab_".length));
  }
  return {
    vermagic: one("vermagic"),
    aliases: fields.get("alias") ?? [],
    depends: one("depends").split(",").filter(Boolean),
    license: one("license"),
    exports: [...new Set(exports)].sort(),
    undefined: [...new Set(undefinedSymbols)].sort(),
  };
}
