import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { KbackportError } from "../errors.js";
import { memoByStat } from "../source/stat-memo.js";

/** A configured kernel tree to build against: a full source tree or a Debian-style headers directory. */
export interface KernelTarget {
  /** The directory `make -C` runs in (KDIR). */
  dir: string;
  /** Where the kernel's own sources and headers are: `dir` itself, or the tree a headers package points at. */
  sourceDir: string;
  kind: "tree" | "headers";
  release: string;
  /** Version of the kernel sources (from the top Makefile): 5.10.262 for Debian's 5.10.0-46-amd64. */
  version: string;
  /** Kernel ARCH (x86, arm64, arm, mips, ...) for make. */
  arch: string;
  crossCompile: string;
  /** The compiler the target's Makefile asks for when it names one (Debian's headers: gcc-10). */
  compiler: string;
  config: ReadonlyMap<string, string>;
  /** Path of Module.symvers, when the target has one. */
  symvers?: string;
}

export interface TargetOptions {
  arch?: string;
  crossCompile?: string;
  /** kbackport's cache: a .config parsed before is taken from it while the file stays as it was. */
  cacheDir?: string;
}

const HOST_ARCH: Record<string, string> = {
  x64: "x86",
  arm64: "arm64",
  arm: "arm",
  mips: "mips",
  mipsel: "mips",
};

/**
 * Debian's cross toolchain prefixes, by ARCH or, for MIPS, by the variant a `.config` picks under that one
 * ARCH (endianness, word size): the names `doctor --arch` takes.
 */
export const DEBIAN_CROSS: Record<string, string> = {
  arm64: "aarch64-linux-gnu-",
  arm: "arm-linux-gnueabihf-",
  mips: "mips-linux-gnu-",
  mipsel: "mipsel-linux-gnu-",
  mips64: "mips64-linux-gnuabi64-",
  mips64el: "mips64el-linux-gnuabi64-",
  x86: "x86_64-linux-gnu-",
  riscv: "riscv64-linux-gnu-",
  powerpc: "powerpc64le-linux-gnu-",
};

/** The toolchain a tree needs: its ARCH, or for MIPS the variant its .config asks for (ramips and ath79 routers are mipsel). */
export function toolchainArch(arch: string, config: ReadonlyMap<string, string>): string {
  if (arch !== "mips") return arch;
  const on = (symbol: string) => config.get(symbol) === "y";
  return `mips${on("CONFIG_64BIT") ? "64" : ""}${on("CONFIG_CPU_LITTLE_ENDIAN") ? "el" : ""}`;
}

export function readKernelTarget(kernelDir: string, opts: TargetOptions = {}): KernelTarget {
  const dir = resolve(kernelDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new KbackportError(`--kernel ${kernelDir} is a file, not a kernel directory`, {
      hint: "pass --kernel with a configured kernel tree or a linux-headers-* directory (e.g. /usr/src/linux-headers-$(uname -r))",
    });
  }
  if (!existsSync(dir)) {
    throw new KbackportError(`kernel directory ${kernelDir} does not exist`, {
      hint: "pass --kernel with a configured kernel tree or a linux-headers-* directory (e.g. /usr/src/linux-headers-$(uname -r))",
    });
  }
  const need = (rel: string, hint: string): string => {
    const path = join(dir, rel);
    if (!existsSync(path)) {
      throw new KbackportError(`${kernelDir} is not a configured kernel tree: ${rel} is missing`, { hint });
    }
    return path;
  };
  need("Makefile", "point --kernel at the top of a kernel source tree or a linux-headers-* directory");
  const configPath = need(
    ".config",
    "configure it first (make defconfig, or copy a .config and run make olddefconfig)",
  );
  need("include/generated/autoconf.h", "prepare it for module builds: make modules_prepare");
  const releasePath = need(
    "include/config/kernel.release",
    "prepare it for module builds: make modules_prepare",
  );
  need("scripts/mod/modpost", "prepare it for module builds: make modules_prepare");

  const sourceDir = findSourceDir(dir);
  const config = opts.cacheDir
    ? new Map(
        memoByStat(opts.cacheDir, "configs", configPath, (bytes) => [...parseConfig(bytes.toString("utf8"))]),
      )
    : parseConfig(readFileSync(configPath, "utf8"));
  const arch = opts.arch ?? archFromConfig(config) ?? HOST_ARCH[process.arch] ?? process.arch;
  const hostArch = HOST_ARCH[process.arch];
  const crossCompile =
    opts.crossCompile ?? (arch === hostArch ? "" : (DEBIAN_CROSS[toolchainArch(arch, config)] ?? ""));
  const symvers = join(dir, "Module.symvers");
  return {
    dir,
    sourceDir,
    kind: sourceDir === dir && existsSync(join(dir, "kernel")) ? "tree" : "headers",
    release: releaseOf(dir, releasePath),
    version: makefileVersion(readFileSync(join(sourceDir, "Makefile"), "utf8")),
    arch,
    crossCompile,
    compiler: compilerOf(dir, crossCompile),
    config,
    symvers: existsSync(symvers) && statSync(symvers).size > 0 ? symvers : undefined,
  };
}

/** Debian headers and O= build dirs keep the sources elsewhere: a `source` link or an `include .../Makefile`. */
function findSourceDir(dir: string): string {
  const link = join(dir, "source");
  if (existsSync(join(link, "Makefile"))) return realpathSync(link);
  const makefile = readFileSync(join(dir, "Makefile"), "utf8");
  const include = /^include\s+(\S+\/Makefile)\s*$/m.exec(makefile);
  if (include && !/^VERSION\s*=/m.test(makefile)) {
    const target = resolve(dir, include[1]!);
    if (existsSync(target)) return dirname(target);
  }
  return dir;
}

export function parseConfig(text: string): Map<string, string> {
  const config = new Map<string, string>();
  // One pass over the text: a distribution's .config has some 10,000 lines.
  for (const [, symbol, value] of text.matchAll(/^(CONFIG_[A-Za-z0-9_]+)=(.*)$/gm)) {
    const quoted = value!.length >= 2 && value!.startsWith('"') && value!.endsWith('"');
    config.set(symbol!, quoted ? value!.slice(1, -1) : value!);
  }
  return config;
}

/** UTS_RELEASE is what vermagic carries; Debian's headers keep the upstream version in kernel.release. */
function releaseOf(dir: string, releasePath: string): string {
  const uts = join(dir, "include/generated/utsrelease.h");
  const m = existsSync(uts) ? /#define\s+UTS_RELEASE\s+"([^"]+)"/.exec(readFileSync(uts, "utf8")) : null;
  return m ? m[1]! : readFileSync(releasePath, "utf8").trim();
}

function archFromConfig(config: ReadonlyMap<string, string>): string | undefined {
  const has = (s: string) => config.get(s) === "y";
  if (has("CONFIG_X86")) return "x86";
  if (has("CONFIG_ARM64")) return "arm64";
  if (has("CONFIG_ARM")) return "arm";
  if (has("CONFIG_MIPS")) return "mips";
  if (has("CONFIG_RISCV")) return "riscv";
  if (has("CONFIG_PPC")) return "powerpc";
  return undefined;
}

function makefileVersion(makefile: string): string {
  const field = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\d*)`, "m").exec(makefile)?.[1] || "0";
  return `${field("VERSION")}.${field("PATCHLEVEL")}.${field("SUBLEVEL")}`;
}

/** Debian's headers pin the compiler the kernel was built with (CC = ...gcc-10) in a Makefile of their own. */
function compilerOf(dir: string, crossCompile: string): string {
  for (const file of [".kernelvariables", "Makefile"]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const m = /^CC\s*=.*\$\(CROSS_COMPILE\)(\S+)\s*$/m.exec(readFileSync(path, "utf8"));
    if (m) return `${crossCompile}${m[1]}`;
  }
  return `${crossCompile}gcc`;
}
