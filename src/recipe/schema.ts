import { z } from "zod";
import { COMMIT_ID, COMMIT_ID_FORM } from "./commit-id.js";

const KCONFIG_SYMBOL = /^CONFIG_[A-Z0-9_]+$/;
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** A path inside the upstream tree: relative, normalised, never leaving the tree. */
export const treePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\"), {
    message: "expected a path relative to the top of the kernel tree (no leading '/', no '\\')",
  })
  .refine((p) => !p.split("/").some((part) => part === ".." || part === "." || part === ""), {
    message: "expected a normalised path inside the tree: no '..', '.' or empty segments",
  });

const commitId = z.string().regex(COMMIT_ID, { message: COMMIT_ID_FORM });

const source = z.strictObject({
  url: z.string().min(1),
  commit: commitId,
  description: z.string().optional(),
});

const module = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]+$/, { message: "expected a module name such as mhi_pci_generic" }),
  config: z.string().regex(KCONFIG_SYMBOL, { message: "expected a Kconfig symbol such as CONFIG_MHI_BUS" }),
  dir: treePath,
});

const component = z.strictObject({
  description: z.string().optional(),
  source: z.string().regex(NAME),
  paths: z.array(treePath).min(1),
  modules: z.array(module).min(1),
  /** Other Kconfig symbols the component's sources test, fixed so the build never depends on the target's choice. */
  settings: z.record(z.string().regex(KCONFIG_SYMBOL), z.enum(["y", "m", "n"])).default({}),
  requires: z.array(z.string().regex(NAME)).default([]),
  rules: z.array(z.string().regex(NAME)).default([]),
});

export const recipeSchema = z.strictObject({
  name: z.string().regex(NAME),
  description: z.string().optional(),
  sources: z.record(z.string().regex(NAME), source),
  components: z.record(z.string().regex(NAME), component),
});

export type RecipeData = z.infer<typeof recipeSchema>;
export type SourceSpec = z.infer<typeof source>;
export type ComponentSpec = z.infer<typeof component>;
export type ModuleSpec = z.infer<typeof module>;
