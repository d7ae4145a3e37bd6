import type { Edit } from "../c/edit.js";
import type { CCode } from "../c/file.js";
import type { ApiId } from "../kernel/api.js";

/** One place a rule changed, or (compat and kernel-patch rules) one use of the API it stands in for. */
export interface Site {
  file: string;
  line: number;
}

/** A definition added to a generated wrapper of a kernel header (`#include_next` + the definition). */
export interface CompatDefinition {
  /** The kernel header, as included: "linux/delay.h". */
  header: string;
  /** C text; functions are renamed with LINUX_BACKPORT() so they never clash with the kernel's own. */
  definition: string;
}

/**
 * A change the kernel itself must carry, emitted for the target's series. It mirrors the upstream commit of
 * the rule's feature, whose knowledge-base entry gives the patch its header.
 */
export interface KernelPatch {
  /**
   * Patch file name, looked up as patches/<series>/<file> (series: "5.10", "5.4"): kbackport's note on the
   * backport, a `---` line and the hunks.
   */
  file: string;
  /** What a module built out of tree against a kernel without the patch loses, and what still works. */
  degraded: string;
}

/**
 * One kernel API change. It runs only where the target lacks `feature`:
 * - rewrite: `rewrite` edits the driver sources (and may add a compat definition its edits call);
 * - compat: `compat` is added where the sources use the API (its entry's `uses`);
 * - kernel-patch: `patch` is emitted; on a kernel without it, `rewrite` (if any) is the documented
 *   fallback that keeps the drivers building and loading.
 */
export interface Rule {
  id: string;
  kind: "rewrite" | "compat" | "kernel-patch";
  /**
   * The API the rule stands in for. Its entry in the knowledge base holds the upstream commit, the uses a
   * rule that does not rewrite reports as sites, and the names that mark the files the rule reads.
   */
  feature: ApiId;
  summary: string;
  rewrite?: (file: CCode) => Edit[];
  compat?: CompatDefinition;
  patch?: KernelPatch;
}
