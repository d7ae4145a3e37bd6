import { KbackportError } from "../../errors.js";
import type { KernelApi } from "../../kernel/api.js";
import { kernelPatchHeader } from "../../transform/kernel-patch.js";

/** A kernel patch of the run, with the API whose upstream commit it mirrors. */
export interface RunKernelPatch {
  /** File name in patches/<series>/. */
  file: string;
  text: string;
  api: KernelApi;
  /** Its number in OpenWrt's backport directory. */
  number: number;
}

/** `NNN-vX.Y-<subject>.patch`, the subject slugged as git format-patch does (52 characters at most). */
export function backportName(p: Pick<RunKernelPatch, "api" | "number">): string {
  const slug = p.api.upstream.subject
    .replace(/[^A-Za-z0-9_.]+/g, "-")
    .replace(/\.+/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 52)
    .replace(/[-.]+$/, "");
  return `${String(p.number).padStart(3, "0")}-v${p.api.introduced}-${slug}.patch`;
}

/**
 * The patch in OpenWrt's backport form, which is the form a run writes its kernel patches in: the upstream
 * commit's format-patch header, kbackport's note, the commit's Signed-off-by chain, then hunks with only
 * ---/+++ lines, as a quilt refresh writes them. A patch headed otherwise was written by another kbackport.
 */
export function backportPatch(p: RunKernelPatch): string {
  if (!p.text.startsWith(kernelPatchHeader(p.api)))
    throw new KbackportError(`kernel patch ${p.file} is not headed by its upstream commit`, {
      hint: "run the recipe again with this kbackport",
    });
  return p.text;
}
