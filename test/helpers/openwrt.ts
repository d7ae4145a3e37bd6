import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { releaseFamilies } from "../../src/package/openwrt/facts.js";
import { tempDir } from "./cli.js";

export interface OpenWrtLayout {
  dir: string;
  kernelDir: string;
  vermagic: string;
}

/**
 * Lays an OpenWrt buildroot (or SDK) for ramips/mt7621 around a prepared mipsel kernel tree, the way
 * OpenWrt arranges them: .config with the target, include/kernel.mk with the release's kernel package
 * lines (taken from openwrt/releases.yaml), the kernel hash in $(LINUX_DIR)/.vermagic (buildroot) or in
 * include/kernel.mk (SDK), CONFIG_MODULE_STRIPPED=y in the kernel's .config as OpenWrt's generic config
 * has it, and Debian's mipsel-linux-gnu-* tools behind OpenWrt's toolchain names. The kernel tree is a
 * hard-linked copy, its .config and .vermagic new files, so the prepared tree is never changed.
 */
export function layOpenWrt(
  kernelTree: string,
  opts: { release: "22.03" | "24.10"; kind: "buildroot" | "sdk"; vermagic?: string },
): OpenWrtLayout {
  const dir = tempDir(`openwrt-${opts.release}-${opts.kind}`);
  const family = releaseFamilies().find((f) => f.releases.includes(opts.release))!;
  const vermagic = opts.vermagic ?? "0123456789abcdef0123456789abcdef";
  const version = readFileSync(join(kernelTree, "include/config/kernel.release"), "utf8").trim();
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write("rules.mk", "# a laid-out OpenWrt tree for kbackport's tests\n");
  write(
    ".config",
    'CONFIG_TARGET_BOARD="ramips"\nCONFIG_TARGET_SUBTARGET="mt7621"\nCONFIG_TARGET_ARCH_PACKAGES="mipsel_24kc"\n',
  );
  write(
    "include/kernel.mk",
    [
      ...(opts.kind === "sdk"
        ? [`  LINUX_VERMAGIC:=$(if $(LINUX_VERMAGIC),$(LINUX_VERMAGIC),${vermagic})`]
        : ["  LINUX_VERMAGIC:=$(if $(LINUX_VERMAGIC),$(LINUX_VERMAGIC),unknown)"]),
      "define KernelPackage",
      `    EXTRA_DEPENDS:=${family.kernelMk.EXTRA_DEPENDS}`,
      `    VERSION:=${family.kernelMk.VERSION}`,
      "endef",
      "",
    ].join("\n"),
  );
  write("include/kernel-version.mk", "LINUX_RELEASE?=1\n");
  if (opts.kind === "sdk") write("Config-build.in", "# SDK\n");
  const kernelDir = join(dir, `build_dir/target-mipsel_24kc_musl/linux-ramips_mt7621/linux-${version}`);
  mkdirSync(join(kernelDir, ".."), { recursive: true });
  execFileSync("cp", ["-al", kernelTree, kernelDir]);
  const config = readFileSync(join(kernelDir, ".config"), "utf8");
  rmSync(join(kernelDir, ".config"));
  writeFileSync(join(kernelDir, ".config"), `${config}CONFIG_MODULE_STRIPPED=y\n`);
  rmSync(join(kernelDir, ".vermagic"), { force: true });
  if (opts.kind === "buildroot") writeFileSync(join(kernelDir, ".vermagic"), `${vermagic}\n`);
  const bin = join(dir, "staging_dir/toolchain-mipsel_24kc_gcc-11.2.0_musl/bin");
  mkdirSync(bin, { recursive: true });
  for (const tool of readdirSync("/usr/bin").filter((t) => t.startsWith("mipsel-linux-gnu-"))) {
    symlinkSync(
      join("/usr/bin", tool),
      join(bin, tool.replace("mipsel-linux-gnu-", "mipsel-openwrt-linux-musl-")),
    );
  }
  return { dir, kernelDir, vermagic };
}
