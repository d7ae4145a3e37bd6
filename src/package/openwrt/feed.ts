import { kernelPackageName, type PackageFacts } from "./facts.js";

export interface FeedModule {
  name: string;
  /** Its directory in the source tree. */
  dir: string;
  facts: PackageFacts;
  /** Package names of the kmods it needs. */
  requires: string[];
}

/**
 * The Makefile of an OpenWrt feed package holding the transformed sources (in src/, which package.mk's
 * default Build/Prepare copies to PKG_BUILD_DIR), with one KernelPackage per module built by
 * `$(KERNEL_MAKE) M=$(PKG_BUILD_DIR) modules` (the form package/kernel/trelay uses from 21.02 to 24.10).
 * KCONFIG stays empty: a feed's KCONFIG would change the kernel's own configuration.
 */
export function feedMakefile(opts: {
  name: string;
  pkgVersion: string;
  license: string;
  /** LINUX_5_10: the release's kernel series, so the packages only build for that kernel. */
  linuxSymbol: string;
  configArgs: readonly string[];
  modules: readonly FeedModule[];
  origin: string;
}): string {
  const out = [
    `# ${opts.origin}`,
    "",
    "include $(TOPDIR)/rules.mk",
    "include $(INCLUDE_DIR)/kernel.mk",
    "",
    `PKG_NAME:=${opts.name}`,
    `PKG_VERSION:=${opts.pkgVersion}`,
    "PKG_RELEASE:=1",
    `PKG_LICENSE:=${opts.license}`,
    "",
    "include $(INCLUDE_DIR)/package.mk",
    "",
  ];
  for (const m of opts.modules) {
    const short = kernelPackageName(m.facts);
    const depends = [`@${opts.linuxSymbol}`, ...m.requires.map((r) => `+${r}`)].join(" ");
    out.push(
      `define KernelPackage/${short}`,
      `  SUBMENU:=${m.facts.submenu}`,
      `  TITLE:=${m.facts.title}`,
      `  DEPENDS:=${depends}`,
      `  FILES:=$(PKG_BUILD_DIR)/${m.dir}/${m.name}.ko`,
      ...(m.facts.autoload ? [`  AUTOLOAD:=$(call AutoProbe,${m.name})`] : []),
      "  KCONFIG:=",
      "endef",
      "",
      `define KernelPackage/${short}/description`,
      ...m.facts.description.split("\n").map((l) => ` ${l}`),
      "endef",
      "",
    );
  }
  out.push(
    "define Build/Compile",
    `\t$(KERNEL_MAKE) M="$(PKG_BUILD_DIR)" ${opts.configArgs.join(" ")} modules`,
    "endef",
    "",
    ...opts.modules.map((m) => `$(eval $(call KernelPackage,${kernelPackageName(m.facts)}))`),
    "",
  );
  return out.join("\n");
}
