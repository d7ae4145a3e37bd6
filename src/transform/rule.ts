import type { Edit } from "./c/edit.js";

/** One place a rule changed, or (compat and kernel-patch rules) one use of the API it stands in for. */
export interface Site {
  file: string;
  line: number;
}

interface RuleBase {
  id: string;
  /** The feature (kernel API) the rule stands in for; it runs only when the target lacks it. */
  feature: string;
  /** The mainline commit the rule mirrors or undoes: 12-hex id ("subject"). */
  upstream: string;
  summary: string;
}

/** Edits the driver sources. */
export interface RewriteRule extends RuleBase {
  kind: "rewrite";
  rewrite(text: string, file: string): Edit[];
}

/** Adds a definition to a generated wrapper of a kernel header (`#include_next` + the definition). */
export interface CompatRule extends RuleBase {
  kind: "compat";
  /** The kernel header the definition is added to, as included: "linux/delay.h". */
  header: string;
  /** C text; functions are renamed with LINUX_BACKPORT() so they never clash with the kernel's own. */
  definition: string;
  /** Token sequences (e.g. "fsleep", ".alloc =") whose uses in the sources are the rule's sites. */
  uses: readonly string[];
}

/** A change the kernel itself must carry; the run emits the patch for the target's series. */
export interface KernelPatchRule extends RuleBase {
  kind: "kernel-patch";
  /** Patch file name, looked up as patches/<series>/<file> (series: "5.10", "5.4"). */
  patch: string;
  uses: readonly string[];
  /** What a module built out of tree loses on a kernel without the patch. */
  degraded: string;
}

export type Rule = RewriteRule | CompatRule | KernelPatchRule;
