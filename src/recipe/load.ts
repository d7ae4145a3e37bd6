import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Document, LineCounter } from "yaml";
import { KbackportError } from "../errors.js";
import { digest } from "../source/cache.js";
import { derivedDir, readDerived, writeDerived } from "../source/derived.js";
import type { RecipeData } from "./schema.js";

export type RecipePath = readonly (string | number)[];

export interface Recipe {
  file: string;
  data: RecipeData;
  /** sha256 of the recipe text: part of every cache key derived from it. */
  hash: string;
  /** "file:line:col" of the value at a path in the recipe, or of its nearest parent that exists. */
  where(path: RecipePath): string;
}

/**
 * Bounds that keep loading a recipe short (parsing is synchronous: a signal waits for it) and catch a
 * generated recipe gone wrong. The shipped recipe is 3 KiB with 12 paths and 9 modules.
 */
export const RECIPE_LIMITS = { bytes: 1024 * 1024, paths: 10_000, modules: 1_000 } as const;

/** Where each node of a recipe starts, by its path (as JSON): [line, column]. */
type Positions = Record<string, [number, number]>;

/** Parses and checks a recipe text; `knownRules` are the rule ids the transform stage offers. */
export async function parseRecipe(
  text: string,
  file: string,
  knownRules: ReadonlySet<string>,
): Promise<Recipe> {
  const { data, positions } = await checkRecipe(text, file, knownRules);
  return { file, data, hash: textHash(text), where: whereIn(file, positions) };
}

/**
 * The checked data of a recipe text and where its nodes are, or the first error. The YAML parser and
 * the schema are loaded here, on first use: a recipe checked before comes from the cache without them.
 */
async function checkRecipe(
  text: string,
  file: string,
  knownRules: ReadonlySet<string>,
): Promise<{ data: RecipeData; positions: Positions }> {
  checkSize(text, file);
  const yaml = await import("yaml");
  const { recipeSchema } = await import("./schema.js");
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
  const positions = positionsOf(yaml, doc, lineCounter);
  const where = whereIn(file, positions);

  const parsed = recipeSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const key = path.length > 0 ? `'${path.join(".")}': ` : "";
    throw new KbackportError(`invalid recipe: ${key}${issue.message}`, { where: where(path) });
  }
  checkCounts(parsed.data, file);
  checkReferences(parsed.data, where, knownRules);
  return { data: parsed.data, positions };
}

function checkSize(text: string, file: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > RECIPE_LIMITS.bytes) {
    throw new KbackportError(
      `recipe ${file} is ${bytes} bytes; kbackport reads recipes of at most ${RECIPE_LIMITS.bytes} bytes`,
      { hint: "a recipe names the directories of a few drivers: list directories rather than each file" },
    );
  }
}

function checkCounts(data: RecipeData, file: string): void {
  const comps = Object.values(data.components);
  const paths = comps.reduce((n, c) => n + c.paths.length, 0);
  const modules = comps.reduce((n, c) => n + c.modules.length, 0);
  for (const [what, count, limit] of [
    ["paths", paths, RECIPE_LIMITS.paths],
    ["modules", modules, RECIPE_LIMITS.modules],
  ] as const) {
    if (count > limit) {
      throw new KbackportError(`recipe ${file} names ${count} ${what}; kbackport takes at most ${limit}`, {
        hint: "a recipe names the directories of a few drivers: list directories rather than each file",
      });
    }
  }
}

/**
 * Reads, parses and checks a recipe. With a cache directory, a recipe text this build checked before is
 * taken from the cache (its data and the position of every node): parsing YAML was a tenth of a cached
 * run's own time.
 */
export async function loadRecipe(
  file: string,
  knownRules: ReadonlySet<string>,
  cacheDir?: string,
): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new KbackportError(`cannot read recipe ${file}: ${(err as Error).message}`, {
      hint: "pass the path of a recipe YAML file, e.g. recipes/mhi-wwan.yaml",
    });
  }
  if (cacheDir === undefined) return parseRecipe(text, file, knownRules);
  const hash = textHash(text);
  const dir = derivedDir(cacheDir, "recipes");
  const name = `${digest(hash, ...[...knownRules].sort()).slice(0, 32)}.json`;
  let checked = readDerived(dir, name) as { data?: RecipeData; positions?: Positions } | undefined;
  if (!checked?.data || !checked.positions) {
    checked = await checkRecipe(text, file, knownRules);
    writeDerived(dir, name, JSON.stringify(checked));
  }
  return { file, data: checked.data!, hash, where: whereIn(file, checked.positions!) };
}

function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Every node's start, walking maps by key and sequences by index. */
function positionsOf(yaml: typeof import("yaml"), doc: Document, lineCounter: LineCounter): Positions {
  const { isMap, isNode, isScalar, isSeq } = yaml;
  const positions: Positions = {};
  const visit = (node: unknown, path: RecipePath): void => {
    if (!isNode(node) || !node.range) return;
    const { line, col } = lineCounter.linePos(node.range[0]);
    positions[JSON.stringify(path)] = [line, col];
    if (isMap(node)) {
      for (const pair of node.items)
        visit(pair.value, [...path, String(isScalar(pair.key) ? pair.key.value : pair.key)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    }
  };
  visit(doc.contents, []);
  return positions;
}

/** "file:line:col" of the value at a path, or of its nearest parent that exists. */
function whereIn(file: string, positions: Positions): (path: RecipePath) => string {
  return (path) => {
    for (let len = path.length; len >= 0; len--) {
      const found = positions[JSON.stringify(path.slice(0, len))];
      if (found) return `${file}:${found[0]}:${found[1]}`;
    }
    return `${file}:1:1`;
  };
}

function checkReferences(
  data: RecipeData,
  where: (p: RecipePath) => string,
  knownRules: ReadonlySet<string>,
) {
  // A module is one .ko: named twice, the build and the packages would carry it twice.
  const firstAt = new Map<string, RecipePath>();
  for (const [name, comp] of Object.entries(data.components)) {
    comp.modules.forEach((mod, i) => {
      const path: RecipePath = ["components", name, "modules", i, "name"];
      const first = firstAt.get(mod.name);
      if (first) {
        throw new KbackportError(`module '${mod.name}' is named twice: here and at ${where(first)}`, {
          where: where(path),
          hint: "a module belongs to one component; remove one of the two entries",
        });
      }
      firstAt.set(mod.name, path);
    });
  }
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
