import { KbackportError } from "../errors.js";
import { evaluate, parseKconfig, type KconfigEntry, type Tristate } from "../kernel/kconfig.js";
import type { ModuleSpec } from "../recipe/schema.js";

export interface SkippedModule {
  name: string;
  component: string;
  config: string;
  /** The Kconfig condition the target does not meet, and where upstream states it. */
  reason: string;
  where: string;
}

/**
 * The modules whose Kconfig dependencies the target meets, counting the backport's own modules as
 * built (m). Skipping a module can unmeet another's dependency, so this runs to a fixed point.
 */
export function modulesForTarget<M extends ModuleSpec & { component: string }>(
  modules: readonly M[],
  kconfigs: ReadonlyMap<string, string>,
  target: ReadonlyMap<string, string>,
  settings: Readonly<Record<string, string>>,
): { build: M[]; skipped: SkippedModule[] } {
  const parsed = new Map([...kconfigs].map(([file, text]) => [file, parseKconfig(text, file)]));
  const entryOf = (mod: M): [string, KconfigEntry] | undefined => {
    const file = `${mod.dir}/Kconfig`;
    const entry = parsed.get(file)?.get(mod.config.replace(/^CONFIG_/, ""));
    return entry ? [file, entry] : undefined;
  };
  let build = [...modules];
  const skipped: SkippedModule[] = [];
  for (;;) {
    const ours = new Set(build.map((m) => m.config));
    const value = (symbol: string): Tristate => {
      const sym = `CONFIG_${symbol}`;
      if (ours.has(sym)) return 1;
      const v = settings[sym] ?? target.get(sym);
      return v === "y" ? 2 : v === "m" ? 1 : 0;
    };
    const unmet = build.flatMap((mod) => {
      const found = entryOf(mod);
      if (!found) return [];
      const [file, entry] = found;
      const where = `${file}:${entry.line}`;
      const holds = (expr: string) => {
        try {
          return evaluate(expr, value) !== 0;
        } catch (err) {
          throw new KbackportError((err as Error).message, { where });
        }
      };
      const shown = (expr: string) => {
        const symbols = [...new Set(expr.match(/[A-Z][A-Z0-9_]+/g) ?? [])];
        return symbols.map((s) => `${s}=${["n", "m", "y"][value(s)]}`).join(", ");
      };
      const failing = [...entry.within, ...entry.depends].find((d) => !holds(d));
      if (failing !== undefined) return [{ mod, reason: `depends on ${failing} (${shown(failing)})`, where }];
      // A select forces its symbol on in a kernel build; out of tree the target must already have it.
      const missing = entry.selects.find((s) => (s.if === undefined || holds(s.if)) && value(s.symbol) === 0);
      if (missing) return [{ mod, reason: `selects ${missing.symbol} (${shown(missing.symbol)})`, where }];
      return [];
    });
    if (unmet.length === 0) return { build, skipped };
    for (const u of unmet) {
      skipped.push({
        name: u.mod.name,
        component: u.mod.component,
        config: u.mod.config,
        reason: u.reason,
        where: u.where,
      });
    }
    build = build.filter((m) => !unmet.some((u) => u.mod === m));
  }
}
