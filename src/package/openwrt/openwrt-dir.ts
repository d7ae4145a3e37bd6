import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { KbackportError } from "../../errors.js";
import { parseConfig } from "../../kernel/target.js";
import { familyOfKernelMk, type OpenWrtKernel } from "./releases.js";

/** An OpenWrt buildroot whose kernel is built, or an unpacked SDK: everything a kmod needs, found in it. */
export interface OpenWrtTree extends OpenWrtKernel {
  dir: string;
  kind: "buildroot" | "sdk";
  board: string;
  subtarget: string;
  /** $(LINUX_DIR): build_dir/target-<arch>_<cpu>_<libc>/linux-<board>_<subtarget>/linux-<version> */
  kernelDir: string;
  /** staging_dir/toolchain-*\/bin/<triplet>- */
  crossCompile: string;
}

/**
 * Finds the kernel tree, the toolchain, the package architecture, the kernel version and hash and the
 * release's version scheme from an OpenWrt directory alone (rules.mk, include/kernel.mk and
 * include/kernel-defaults.mk tell where OpenWrt keeps each).
 */
export function readOpenWrtTree(openwrtDir: string): OpenWrtTree {
  const dir = resolve(openwrtDir);
  const rel = (p: string) => join(dir, p);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new KbackportError(`OpenWrt directory ${openwrtDir} does not exist`);
  const kernelMk = rel("include/kernel.mk");
  if (!existsSync(rel("rules.mk")) || !existsSync(kernelMk)) {
    throw new KbackportError(
      `${openwrtDir} is not an OpenWrt buildroot or SDK: rules.mk or include/kernel.mk is missing`,
      {
        hint: "pass --openwrt with the top directory of an OpenWrt source tree or an unpacked OpenWrt SDK",
      },
    );
  }
  if (!existsSync(rel(".config")))
    throw new KbackportError(`${openwrtDir} has no .config: the OpenWrt target is not configured`, {
      hint: `run make menuconfig in ${openwrtDir} and choose the target`,
    });
  const config = parseConfig(readFileSync(rel(".config"), "utf8"));
  const setting = (name: string) => {
    const value = config.get(name);
    if (!value)
      throw new KbackportError(`${rel(".config")} does not set ${name}`, {
        hint: `run make menuconfig in ${openwrtDir} and choose the target`,
      });
    return value;
  };
  const board = setting("CONFIG_TARGET_BOARD");
  const subtarget = setting("CONFIG_TARGET_SUBTARGET");
  const archPackages = setting("CONFIG_TARGET_ARCH_PACKAGES");
  const kernelMkText = readFileSync(kernelMk, "utf8");
  const family = familyOfKernelMk(kernelMkText, kernelMk);

  // include/kernel.mk: KERNEL_BUILD_DIR ?= $(BUILD_DIR)/linux-$(BOARD)_$(SUBTARGET); LINUX_DIR ?= .../linux-$(LINUX_VERSION)
  const kernelBuild = `linux-${board}_${subtarget}`;
  const kernels = children(rel("build_dir"))
    .filter((t) => t.startsWith(`target-${archPackages}_`))
    .flatMap((t) =>
      children(rel(`build_dir/${t}/${kernelBuild}`))
        .filter(
          (k) =>
            /^linux-\d+\.\d+(\.\d+)?$/.test(k) &&
            existsSync(rel(`build_dir/${t}/${kernelBuild}/${k}/Makefile`)),
        )
        .map((k) => `build_dir/${t}/${kernelBuild}/${k}`),
    );
  const notBuilt = (what: string) =>
    new KbackportError(`the kernel of ${openwrtDir} is not built: ${what}`, {
      hint: `run make target/linux/compile in ${openwrtDir} (or unpack an OpenWrt SDK for the target)`,
    });
  if (kernels.length === 0)
    throw notBuilt(`no build_dir/target-${archPackages}_*/${kernelBuild}/linux-<version>`);
  if (kernels.length > 1)
    throw new KbackportError(
      `${openwrtDir} holds several kernel trees for ${board}/${subtarget}: ${kernels.join(", ")}`,
      {
        hint: "remove the stale ones (make target/linux/clean) and build the kernel again",
      },
    );
  const kernelDir = rel(kernels[0]!);
  const linuxVersion = kernels[0]!.replace(/^.*\/linux-/, "");
  if (!existsSync(join(kernelDir, ".config")) || !existsSync(join(kernelDir, "include/generated/autoconf.h")))
    throw notBuilt(`${kernels[0]} is not configured and prepared`);

  // include/kernel-defaults.mk writes $(LINUX_DIR)/.vermagic; the SDK has it in include/kernel.mk instead.
  const vermagicFile = join(kernelDir, ".vermagic");
  const sdkVermagic =
    /^\s*LINUX_VERMAGIC:=\$\(if \$\(LINUX_VERMAGIC\),\$\(LINUX_VERMAGIC\),([0-9a-f]{32})\)\s*$/m.exec(
      kernelMkText,
    )?.[1];
  let vermagic: string;
  let kind: OpenWrtTree["kind"];
  if (existsSync(vermagicFile)) {
    vermagic = readFileSync(vermagicFile, "utf8").trim();
    kind = "buildroot";
    if (!/^[0-9a-f]{32}$/.test(vermagic))
      throw new KbackportError(`${vermagicFile} does not hold a kernel hash (32 hex digits): '${vermagic}'`, {
        hint: `rebuild the kernel: make target/linux/compile in ${openwrtDir}`,
      });
  } else if (sdkVermagic) {
    vermagic = sdkVermagic;
    kind = "sdk";
  } else if (existsSync(rel("Config-build.in"))) {
    throw new KbackportError(
      `${openwrtDir} is an OpenWrt SDK without the kernel hash: ${kernelMk} has no LINUX_VERMAGIC value`,
      {
        hint: "unpack the SDK again from the release's download, or pass --kernel-package with the device's kernel version",
      },
    );
  } else {
    throw notBuilt(`${vermagicFile} is missing`);
  }

  const linuxRelease =
    /^LINUX_RELEASE\?=(\d+)\s*$/m.exec(readIfExists(rel("include/kernel-version.mk")))?.[1] ?? "1";
  return {
    dir,
    kind,
    board,
    subtarget,
    archPackages,
    kernelDir,
    crossCompile: toolchainPrefix(dir, openwrtDir, archPackages),
    family,
    linuxVersion,
    linuxRelease,
    vermagic,
  };
}

/** rules.mk: TOOLCHAIN_DIR = staging_dir/toolchain-$(ARCH)$(ARCH_SUFFIX)_gcc-$(GCCV)$(DIR_SUFFIX), TARGET_CROSS <triplet>- */
function toolchainPrefix(dir: string, openwrtDir: string, archPackages: string): string {
  const staging = join(dir, "staging_dir");
  const found = children(staging)
    .filter((t) => t.startsWith(`toolchain-${archPackages}_gcc-`))
    .flatMap((t) =>
      children(join(staging, t, "bin"))
        .filter((f) => /^[\w.]+-openwrt-linux(-\w+)?-gcc$/.test(f))
        .map((f) => join(staging, t, "bin", f.slice(0, -"gcc".length))),
    );
  if (found.length === 0) {
    throw new KbackportError(
      `${openwrtDir} has no toolchain for ${archPackages}: no staging_dir/toolchain-${archPackages}_gcc-*/bin/*-openwrt-linux-*-gcc`,
      { hint: `build it: make toolchain/install in ${openwrtDir}` },
    );
  }
  return found[0]!;
}

function children(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}
