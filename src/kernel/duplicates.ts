import { KbackportError } from "../errors.js";
import type { SelectedComponent } from "../recipe/select.js";
import { IN_KERNEL_CONSUMERS } from "./consumers.js";

export type DuplicateChoice = "replace" | "skip" | "in-tree";
export const DUPLICATE_CHOICES: readonly DuplicateChoice[] = ["replace", "skip", "in-tree"];

/** A component whose modules the target kernel already provides, and what the run does about it. */
export interface Duplicate {
  component: string;
  /** The target's own modules of the component: "CONFIG_MHI_BUS=m". */
  inKernel: string[];
  choice: DuplicateChoice;
  /**
   * replace: in-kernel modules built against the replaced one, which will no longer load with it.
   * in-tree: in-kernel modules that Kconfig turned off with the kernel's own copy.
   * The backport's own modules of the same name are not listed: they replace those too.
   */
  brokenConsumers: string[];
}

/**
 * Finds the components the target kernel already has (its .config builds their modules) and applies the
 * choice: `replace` builds ours anyway, as the backports project and DKMS do (installed to updates/, they
 * shadow the in-kernel modules); `skip` drops the component, and what requires it builds against the
 * kernel's own; `in-tree` (in-tree mode only) turns the kernel's own off in the patched tree's .config.
 */
export function resolveDuplicates(
  components: readonly SelectedComponent[],
  config: ReadonlyMap<string, string>,
  choice: DuplicateChoice,
): { components: SelectedComponent[]; duplicates: Duplicate[] } {
  if (!DUPLICATE_CHOICES.includes(choice)) {
    throw new KbackportError(`--duplicates ${choice}: expected one of ${DUPLICATE_CHOICES.join(", ")}`);
  }
  const ours = new Set(components.flatMap((c) => c.modules.map((m) => m.name)));
  const duplicates: Duplicate[] = [];
  for (const comp of components) {
    const inKernel = comp.modules.flatMap((m) => {
      const value = config.get(m.config);
      return value === "y" || value === "m" ? [`${m.config}=${value}`] : [];
    });
    if (inKernel.length === 0) continue;
    const brokenConsumers =
      choice === "replace"
        ? comp.modules.flatMap((m) =>
            (IN_KERNEL_CONSUMERS[m.config] ?? [])
              .filter(
                (c) =>
                  !ours.has(c.module.replace(/-/g, "_")) && ["y", "m"].includes(config.get(c.config) ?? ""),
              )
              .map((c) => `${c.module} (${c.config}=${config.get(c.config)})`),
          )
        : [];
    duplicates.push({ component: comp.name, inKernel, choice, brokenConsumers });
  }
  const skipped = new Set(duplicates.filter((d) => d.choice === "skip").map((d) => d.component));
  return { components: components.filter((c) => !skipped.has(c.name)), duplicates };
}
