import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** The symbols a kernel exports (vmlinux and its own modules), from its Module.symvers. */
export function symversSymbols(path: string): Set<string> {
  const symbols = new Set<string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const name = line.split("\t")[1];
    if (name) symbols.add(name);
  }
  return symbols;
}

/**
 * The modules a kernel has of its own, by name (underscores): those exporting symbols (Module.symvers) and,
 * in a built tree, every one it builds (modules.order) or builds in (modules.builtin).
 */
export function kernelModuleNames(kernelDir: string, symvers?: string): Set<string> {
  const names = new Set<string>();
  const add = (path: string) =>
    names.add(
      basename(path)
        .replace(/\.k?o$/, "")
        .replace(/-/g, "_"),
    );
  if (symvers) {
    for (const line of readFileSync(symvers, "utf8").split("\n")) {
      const module = line.split("\t")[2];
      if (module && module !== "vmlinux" && !module.endsWith("/vmlinux")) add(module);
    }
  }
  for (const list of ["modules.order", "modules.builtin"]) {
    const path = join(kernelDir, list);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) if (line.trim()) add(line.trim());
  }
  return names;
}
