import { KbackportError } from "../errors.js";
import type { Recipe } from "./load.js";
import type { ComponentSpec } from "./schema.js";

export interface SelectedComponent extends ComponentSpec {
  name: string;
}

/** The named components (all when none are named) and every component they require, in recipe order. */
export function selectComponents(recipe: Recipe, names?: readonly string[]): SelectedComponent[] {
  const all = recipe.data.components;
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    const comp = all[name];
    if (!comp) {
      throw new KbackportError(`unknown component '${name}'`, {
        hint: `the recipe ${recipe.file} has: ${Object.keys(all).join(", ")}`,
      });
    }
    wanted.add(name);
    comp.requires.forEach(add);
  };
  (names && names.length > 0 ? names : Object.keys(all)).forEach(add);
  return Object.entries(all)
    .filter(([name]) => wanted.has(name))
    .map(([name, comp]) => ({ name, ...comp }));
}
