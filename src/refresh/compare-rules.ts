import type { RuleReport } from "../transform/engine.js";

export type RuleState =
  "still needed" | "no longer needed" | "newly needed" | "newly stale" | "not needed" | "stale";

export interface RuleDrift {
  id: string;
  state: RuleState;
  /** Sites at the current and the new pins. */
  sites: { current: number; next: number };
  /** The sites are not the same file:line places any more. */
  sitesMoved: boolean;
}

/** Each rule of either side, current pins against new ones, for one target. */
export function compareRules(current: readonly RuleReport[], next: readonly RuleReport[]): RuleDrift[] {
  const ids = [...new Set([...current.map((r) => r.id), ...next.map((r) => r.id)])];
  return ids.map((id) => {
    const a = current.find((r) => r.id === id);
    const b = next.find((r) => r.id === id);
    const used = (r: RuleReport | undefined) => r !== undefined && r.needed && !r.stale;
    const state: RuleState =
      b?.stale && !a?.stale
        ? "newly stale"
        : b?.stale
          ? "stale"
          : used(a) && used(b)
            ? "still needed"
            : used(a)
              ? "no longer needed"
              : used(b)
                ? "newly needed"
                : "not needed";
    const key = (r: RuleReport | undefined) => (r?.sites ?? []).map((s) => `${s.file}:${s.line}`).join(",");
    return {
      id,
      state,
      sites: { current: a?.sites.length ?? 0, next: b?.sites.length ?? 0 },
      sitesMoved: used(a) && used(b) && key(a) !== key(b),
    };
  });
}
