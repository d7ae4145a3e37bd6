import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import { KbackportError } from "../errors.js";
import { recipeSchema, type RecipeData } from "./schema.js";

export type RecipePath = readonly (string | number)[];

export interface Recipe {
  file: string;
  data: RecipeData;
  /** sha256 of the recipe text: part of every cache key derived from it. */
  hash: string;
  /** "file:line:col" of the value at a path in the recipe, or of its nearest parent that exists. */
  where(path: RecipePath): string;
}

/** Parses and checks a recipe text; `knownRules` are the rule ids the transform stage offers. */
export function parseRecipe(text: string, file: string, knownRules: ReadonlySet<string>): Recipe {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const firstError = doc.errors[0];
  if (firstError) {
    throw new KbackportError(`YAML syntax error: ${firstError.message.split("\n")[0]}`, {
      where: at(firstError.pos[0]),
      hint: "fix the YAML syntax (indentation, quoting, ':' after keys)",
    });
  }
  const where = (path: RecipePath): string => at(nodeOffset(doc, path));

  const parsed = recipeSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const key = path.length > 0 ? `'${path.join(".")}': ` : "";
    throw new KbackportError(`invalid recipe: ${key}${issue.message}`, { where: where(path) });
  }
  const data = parsed.data;
  checkReferences(data, where, knownRules);
  return { file, data, hash: createHash("sha256").update(text).digest("hex"), where };
}

export async function loadRecipe(file: string, knownRules: ReadonlySet<string>): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new KbackportError(`cannot read recipe ${file}: ${(err as Error).message}`, {
      hint: "pass the path of a recipe YAML file, e.g. recipes/mhi-wwan.yaml",
    });
  }
  return parseRecipe(text, file, knownRules);
}

function checkReferences(
  data: RecipeData,
  where: (p: RecipePath) => string,
  knownRules: ReadonlySet<string>,
) {
  for (const [name, comp] of Object.entries(data.components)) {
    if (!(comp.source in data.sources)) {
      throw new KbackportError(
        `component '${name}' takes its code from source '${comp.source}', which the recipe does not define`,
        {
          where: where(["components", name, "source"]),
          hint: `define it under 'sources:' or use one of: ${Object.keys(data.sources).join(", ")}`,
        },
      );
    }
    comp.requires.forEach((req, i) => {
      if (!(req in data.components)) {
        throw new KbackportError(`component '${name}' requires unknown component '${req}'`, {
          where: where(["components", name, "requires", i]),
        });
      }
    });
    comp.rules.forEach((rule, i) => {
      if (!knownRules.has(rule)) {
        throw new KbackportError(`unknown rule '${rule}' in component '${name}'`, {
          where: where(["components", name, "rules", i]),
          hint: `known rules: ${[...knownRules].sort().join(", ")}`,
        });
      }
    });
    comp.modules.forEach((mod, i) => {
      const inPaths = comp.paths.some(
        (p) => mod.dir === p || mod.dir.startsWith(`${p}/`) || p.startsWith(`${mod.dir}/`),
      );
      if (!inPaths) {
        throw new KbackportError(
          `module '${mod.name}' lives in '${mod.dir}', which none of the component's paths covers`,
          {
            where: where(["components", name, "modules", i, "dir"]),
          },
        );
      }
    });
  }
}

function nodeOffset(doc: Document, path: RecipePath): number {
  for (let len = path.length; len >= 0; len--) {
    const node = len === 0 ? doc.contents : doc.getIn(path.slice(0, len), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}
