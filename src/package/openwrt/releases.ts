import { KbackportError } from "../../errors.js";
import { releaseFamilies, type ReleaseFamily } from "./facts.js";

/** What an OpenWrt kernel package is: the release family, the kernel's version and hash, the package arch. */
export interface OpenWrtKernel {
  family: ReleaseFamily;
  /** LINUX_VERSION: 5.10.221 */
  linuxVersion: string;
  /** LINUX_RELEASE: 1 */
  linuxRelease: string;
  /** LINUX_VERMAGIC: the md5 of the kernel's configuration */
  vermagic: string;
  /** CONFIG_TARGET_ARCH_PACKAGES: mipsel_24kc */
  archPackages: string;
}

const FIELD_PATTERNS: Record<string, string> = {
  LINUX_VERSION: "\\d+\\.\\d+(?:\\.\\d+)?",
  LINUX_RELEASE: "\\d+",
  LINUX_VERMAGIC: "[0-9a-f]{32}",
};

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

/** The `kernel` package's version a module package must depend on exactly: opkg's only guard. */
export function kernelPackageVersion(k: OpenWrtKernel): string {
  return fillTemplate(k.family.kernelPackage, {
    LINUX_VERSION: k.linuxVersion,
    LINUX_RELEASE: k.linuxRelease,
    LINUX_VERMAGIC: k.vermagic,
  });
}

export function kmodVersion(k: OpenWrtKernel, pkgVersion: string, pkgRelease: string): string {
  return fillTemplate(k.family.kmod, {
    LINUX_VERSION: k.linuxVersion,
    PKG_VERSION: pkgVersion,
    PKG_RELEASE: pkgRelease,
  });
}

/**
 * The release family of an OpenWrt tree, from the VERSION and EXTRA_DEPENDS lines of its own
 * include/kernel.mk; a tree whose lines kbackport does not know is refused rather than guessed.
 */
export function familyOfKernelMk(text: string, file: string): ReleaseFamily {
  const lines = text.split("\n");
  const find = (name: string) => {
    const i = lines.findIndex((l) => l.trim().startsWith(`${name}:=`));
    return i < 0
      ? undefined
      : {
          line: i + 1,
          value: lines[i]!.trim()
            .slice(name.length + 2)
            .trim(),
        };
  };
  const depends = find("EXTRA_DEPENDS");
  const version = find("VERSION");
  if (!depends || !version) {
    throw new KbackportError(`${file} has no EXTRA_DEPENDS:= and VERSION:= lines for kernel packages`, {
      hint: "point --openwrt at the top of an OpenWrt buildroot or SDK",
    });
  }
  const family = releaseFamilies().find(
    (f) => f.kernelMk.EXTRA_DEPENDS === depends.value && f.kernelMk.VERSION === version.value,
  );
  if (!family) {
    throw new KbackportError(
      `unknown OpenWrt kernel package scheme at ${file}:${depends.line}: EXTRA_DEPENDS:=${depends.value}`,
      {
        hint: `kbackport knows OpenWrt ${releaseFamilies()
          .flatMap((f) => f.releases)
          .join(", ")}; add the release to openwrt/releases.yaml`,
      },
    );
  }
  return family;
}

/** Reads a `kernel` package version as `opkg list-installed kernel` prints it on the device. */
export function parseKernelPackageVersion(
  version: string,
): Pick<OpenWrtKernel, "family" | "linuxVersion" | "linuxRelease" | "vermagic"> {
  for (const family of releaseFamilies()) {
    const pattern = family.kernelPackage
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>${FIELD_PATTERNS[name] ?? ".+"})`);
    const m = new RegExp(`^${pattern}$`).exec(version.trim());
    if (m?.groups) {
      return {
        family,
        linuxVersion: m.groups.LINUX_VERSION!,
        linuxRelease: m.groups.LINUX_RELEASE!,
        vermagic: m.groups.LINUX_VERMAGIC!,
      };
    }
  }
  throw new KbackportError(
    `--kernel-package ${version}: not the version of an OpenWrt kernel package (${releaseFamilies()
      .map((f) => `${f.releases.join("/")}: ${f.kernelPackage}`)
      .join("; ")})`,
    {
      hint: "pass the version `opkg list-installed kernel` prints on the device, e.g. 5.10.221-1-<32 hex digits>",
    },
  );
}
