import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Feature } from "../kernel/features.js";
import { listFiles } from "../list-files.js";
import type { RecipeData } from "../recipe/schema.js";
import { transform } from "../transform/engine.js";
import { RULE_IDS, RULES } from "../transform/rules/index.js";

export interface UnlistedRule {
  component: string;
  rule: string;
  /** Where the rule would change the component's code: file:line. */
  sites: string[];
}

/**
 * Rules a component's code at the new pins needs on this target but the recipe does not list: every
 * rule is tried on the component's upstream files, and those that find sites yet are not listed are
 * reported (listing them is the fix).
 */
export async function unlistedRules(
  recipe: RecipeData,
  sourceDirs: ReadonlyMap<string, string>,
  features: readonly Feature[],
): Promise<UnlistedRule[]> {
  const files = new Map<string, string>();
  const components: { name: string; files: string[]; rules: string[] }[] = [];
  for (const [name, comp] of Object.entries(recipe.components)) {
    const dir = sourceDirs.get(comp.source);
    if (!dir) continue;
    const own: string[] = [];
    for (const path of comp.paths) own.push(...listFiles(dir, path));
    for (const file of own) files.set(file, await readFile(join(dir, file), "utf8"));
    components.push({ name, files: own, rules: [...RULE_IDS] });
  }
  const result = transform({
    files,
    components,
    features: new Map(features.map((f) => [f.id, f])),
    rules: RULES,
  });
  return result.rules.flatMap((r) =>
    Object.entries(recipe.components)
      .filter(([name, comp]) => {
        const own = components.find((c) => c.name === name)?.files ?? [];
        return !comp.rules.includes(r.id) && r.needed && r.sites.some((s) => own.includes(s.file));
      })
      .map(([name]) => ({
        component: name,
        rule: r.id,
        sites: r.sites
          .filter((s) => (components.find((c) => c.name === name)?.files ?? []).includes(s.file))
          .map((s) => `${s.file}:${s.line}`),
      })),
  );
}
