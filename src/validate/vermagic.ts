/**
 * The vermagic a module built for a kernel must carry, from its release and .config, as
 * include/linux/vermagic.h composes it: release, SMP, preempt, mod_unload, modversions, then the arch's
 * part. `arch` is undefined where the arch part depends on more than the config says (CPU families).
 */
export function expectedVermagic(
  release: string,
  arch: string,
  config: ReadonlyMap<string, string>,
): { flags: string; arch?: string } {
  const on = (sym: string) => config.get(sym) === "y";
  const flags = [
    release,
    on("CONFIG_SMP") ? "SMP" : "",
    on("CONFIG_PREEMPT") ? "preempt" : on("CONFIG_PREEMPT_RT") ? "preempt_rt" : "",
    on("CONFIG_MODULE_UNLOAD") ? "mod_unload" : "",
    on("CONFIG_MODVERSIONS") ? "modversions" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return { flags, arch: archVermagic(arch, on) };
}

function archVermagic(arch: string, on: (sym: string) => boolean): string | undefined {
  // arch/arm64/include/asm/module.h: MODULE_ARCH_VERMAGIC "aarch64"
  if (arch === "arm64") return "aarch64";
  // arch/x86/include/asm/module.h: no CPU family name for a generic x86-64 kernel.
  if (arch === "x86" && on("CONFIG_X86_64") && on("CONFIG_GENERIC_CPU")) return "";
  return undefined;
}
