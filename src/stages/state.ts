import type { DuplicateChoice } from "../kernel/duplicates.js";
import type { Features } from "../kernel/features.js";
import type { KernelTarget } from "../kernel/target.js";
import type { PatchedKernel } from "../intree/integrate.js";
import type { StagedOutput } from "../output/atomic-dir.js";
import type { OpenWrtTree } from "../package/openwrt/openwrt-dir.js";
import type { SigningKey } from "../package/openwrt/usign.js";
import type { Recipe } from "../recipe/load.js";
import type { SelectedComponent } from "../recipe/select.js";
import type { RunReport } from "../report.js";
import type { SourceOverride } from "../source/override.js";
import type { FetchRequest, SourceTree } from "../source/sparse-fetch.js";
import type { BackportTree } from "../transform/backport-tree.js";

export type Command = "fetch" | "prepare" | "build" | "run";

export interface PipelineOptions {
  command: Command;
  recipeFile: string;
  kernelDir?: string;
  outDir?: string;
  sources: readonly SourceOverride[];
  components?: readonly string[];
  assumeMissing: readonly string[];
  arch?: string;
  crossCompile?: string;
  offline: boolean;
  /** What to do with components the target kernel already provides. */
  duplicates: DuplicateChoice;
  jobs?: number;
  /** Patch a copy of the kernel source tree (`<out>/kernel`) and build there. */
  inTree?: boolean;
  /** With inTree: patch and build in the --kernel tree itself. */
  inPlace?: boolean;
  cacheDir: string;
  cwd: string;
  /** An OpenWrt buildroot or SDK: the target comes from it, and the run ends with its packages. */
  openwrt?: string;
  /** usign secret key to sign the packages' index with. */
  signKey?: string;
}

/** What the stages of one command have produced so far; each stage reads what earlier ones wrote. */
export interface PipelineState {
  report: RunReport;
  recipe?: Recipe;
  components?: SelectedComponent[];
  requests?: FetchRequest[];
  target?: KernelTarget;
  features?: Features;
  sources?: Map<string, SourceTree>;
  output?: StagedOutput;
  outDir?: string;
  tree?: BackportTree;
  /** The warnings the last transform added: a second pass (in-tree) replaces them. */
  treeWarnings?: string[];
  /** In-tree: the kernel tree being patched, where the report says it is, and what was done to it. */
  kernel?: PatchedKernel;
  /** --sign-key, read before any work. */
  signKey?: SigningKey;
  /** The OpenWrt tree the target came from (--openwrt). */
  openwrt?: OpenWrtTree;
  /** An unchanged re-run: the previous output stands and the remaining stages are skipped. */
  reused?: boolean;
}

/** Progress a stage may show while it runs. */
export interface Progress {
  output(text: string): void;
  title(text: string): void;
}

/** One step of a command: reads what it needs from the state, adds what it produces. */
export interface Stage {
  id: string;
  title: string;
  /** Runs even when the run reuses a previous output (the steps that decide it). */
  decidesReuse?: boolean;
  run(state: PipelineState, opts: PipelineOptions, progress: Progress): Promise<void> | void;
}

/** What an earlier stage must have produced: its absence is a wiring error, not the user's. */
export function need<K extends keyof PipelineState>(
  state: PipelineState,
  key: K,
): NonNullable<PipelineState[K]> {
  const value = state[key];
  if (value === undefined)
    throw new Error(`pipeline: no ${String(key)} yet (a stage runs before the one that makes it)`);
  return value as NonNullable<PipelineState[K]>;
}
