import { checkFeatureIds } from "../kernel/features.js";
import { loadRecipe } from "../recipe/load.js";
import { selectComponents } from "../recipe/select.js";
import { fetchRequests } from "../source/requests.js";
import { RULE_IDS } from "../transform/rules/index.js";
import type { Stage } from "./state.js";

export const loadRecipeStage: Stage = {
  id: "recipe",
  title: "Load recipe",
  decidesReuse: true,
  async run(state, opts) {
    checkFeatureIds(opts.assumeMissing);
    const recipe = await loadRecipe(opts.recipeFile, RULE_IDS, opts.cacheDir);
    state.recipe = recipe;
    state.components = selectComponents(recipe, opts.components);
    state.requests = fetchRequests(recipe, state.components, opts.sources, opts.cwd);
    state.report.recipe = { file: recipe.file, name: recipe.data.name, sha256: recipe.hash };
    state.report.components = state.components.map((c) => c.name);
  },
};
