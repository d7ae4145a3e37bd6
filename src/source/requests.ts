import { dirname } from "node:path";
import { KbackportError } from "../errors.js";
import type { Recipe } from "../recipe/load.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { SourceOverride } from "./override.js";
import type { FetchRequest } from "./sparse-fetch.js";
import { sourceUrl } from "./url.js";

/** Whether a directory above the path is among the paths: its ancestors are looked up, not every path. */
function underAny(path: string, paths: ReadonlyMap<string, string>): boolean {
  for (let end = path.lastIndexOf("/"); end > 0; end = path.lastIndexOf("/", end - 1)) {
    if (paths.has(path.slice(0, end))) return true;
  }
  return false;
}

/**
 * What to fetch from each recipe source the components use: their paths, plus the Makefile and Kconfig
 * of every module directory.
 */
export function fetchRequests(
  recipe: Recipe,
  components: readonly SelectedComponent[],
  overrides: readonly SourceOverride[],
  cwd: string,
): FetchRequest[] {
  for (const o of overrides) {
    if (!(o.name in recipe.data.sources)) {
      throw new KbackportError(`--source ${o.name}: the recipe has no source of that name`, {
        hint: `its sources are: ${Object.keys(recipe.data.sources).join(", ")}`,
      });
    }
  }
  const names = [...new Set(components.map((c) => c.source))];
  return names.map((name) => {
    const spec = recipe.data.sources[name]!;
    const override = overrides.find((o) => o.name === name);
    const whereUrl = recipe.where(["sources", name, "url"]);
    const url = override
      ? sourceUrl(override.location, cwd, `--source ${name}`)
      : sourceUrl(spec.url, dirname(recipe.file), whereUrl);
    const located = new Map<string, string>();
    for (const comp of components.filter((c) => c.source === name)) {
      comp.paths.forEach((p, i) => located.set(p, recipe.where(["components", comp.name, "paths", i])));
      comp.modules.forEach((m, i) => {
        // Makefile: the objects of each module; Kconfig: what each module depends on.
        for (const file of [`${m.dir}/Makefile`, `${m.dir}/Kconfig`]) {
          if (!located.has(file) && !underAny(file, located))
            located.set(file, recipe.where(["components", comp.name, "modules", i, "dir"]));
        }
      });
    }
    const paths = [...located.keys()].filter((p) => !underAny(p, located));
    return {
      name,
      url,
      commit: override?.commit ?? spec.commit,
      paths: paths.sort(),
      whereIs: (p: string) => located.get(p),
      whereCommit: override?.commit ? `--source ${name}` : recipe.where(["sources", name, "commit"]),
    };
  });
}
