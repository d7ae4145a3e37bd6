import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toolchainArguments } from "../build/kbuild.js";
import { chooseCompiler } from "../build/toolchain.js";
import { KbackportError } from "../errors.js";
import { runGroup } from "../interrupt/process-group.js";
import { during } from "../interrupt/registry.js";
import { parseConfig, type KernelTarget } from "../kernel/target.js";

/** In-tree mode patches and builds kernel sources: a headers package or an O= build dir has none. */
export function checkSourceTree(target: KernelTarget): void {
  if (target.kind === "tree") return;
  throw new KbackportError(
    `--in-tree needs a kernel source tree; ${target.dir} is a headers directory (sources at ${target.sourceDir})`,
    {
      hint: "pass --kernel with a configured full kernel source tree, e.g. one made by scripts/prepare-kernel-tree.sh",
    },
  );
}

/** A full copy (reflinked where the filesystem can), timestamps kept so make rebuilds only what patches touch. */
export async function copyKernelTree(from: string, to: string): Promise<void> {
  const { execa } = await import("execa");
  const run = await execa("cp", ["-a", "--reflink=auto", "--", from, to], { reject: false, all: true });
  if (run.exitCode !== 0) throw new KbackportError(`copying ${from} to ${to} failed: ${run.all ?? ""}`);
}

/** make's arguments for the kernel itself, with the target's ARCH, toolchain and compiler. */
function kernelMake(kernelDir: string, target: KernelTarget, ...rest: string[]): string[] {
  const { arch, crossCompile } = target;
  return [
    "-C",
    kernelDir,
    ...toolchainArguments({ arch, crossCompile, cc: chooseCompiler(target).override }),
    ...rest,
  ];
}

/**
 * Turns the kernel's own modules of replaced components off in the tree's .config and lets Kconfig settle;
 * returns what else that turned off (in-kernel users of those modules, "CONFIG_QRTR_MHI=m").
 */
export async function disableInKernel(
  kernelDir: string,
  target: KernelTarget,
  symbols: readonly string[],
): Promise<string[]> {
  const configPath = join(kernelDir, ".config");
  const before = parseConfig(readFileSync(configPath, "utf8"));
  const { execa } = await import("execa");
  await execa(join(kernelDir, "scripts/config"), [
    "--file",
    configPath,
    ...symbols.flatMap((s) => ["--disable", s.replace(/^CONFIG_/, "")]),
  ]);
  const settle = await runGroup("make", kernelMake(kernelDir, target, "olddefconfig"));
  if (settle.exitCode !== 0)
    throw new KbackportError(`make olddefconfig in ${kernelDir} failed:\n${settle.all}`);
  const after = parseConfig(readFileSync(configPath, "utf8"));
  return [...before]
    .filter(([sym, value]) => (value === "y" || value === "m") && !after.has(sym) && !symbols.includes(sym))
    .map(([sym, value]) => `${sym}=${value}`)
    .sort();
}

const BOOT_IMAGES = ["bzImage", "Image.gz", "Image", "zImage", "vmlinux.bin"];

/**
 * Rebuilds the kernel after its sources were patched: everything `make` builds when the tree had been
 * built (vmlinux present), else only what module builds need.
 */
export async function rebuildKernel(
  kernelDir: string,
  target: KernelTarget,
  jobs: number,
  logFile: string,
): Promise<{ command: string[]; image?: string }> {
  const full = existsSync(join(kernelDir, "vmlinux"));
  const args = kernelMake(kernelDir, target, `-j${jobs}`, ...(full ? [] : ["modules_prepare"]));
  const run = await during(`make ${full ? "" : "modules_prepare "}in ${kernelDir}`, () =>
    runGroup("make", args, { env: { LC_ALL: "C" } }),
  );
  await writeFile(logFile, run.all);
  if (run.exitCode !== 0) {
    const tail = run.all
      .trimEnd()
      .split("\n")
      .slice(-15)
      .map((l) => `  ${l}`)
      .join("\n");
    throw new KbackportError(
      `rebuilding the patched kernel in ${kernelDir} failed (make exited ${run.exitCode}):\n${tail}`,
      {
        hint: `the full log is ${logFile}`,
      },
    );
  }
  const image = full
    ? BOOT_IMAGES.map((name) => join("arch", target.arch, "boot", name)).find((p) =>
        existsSync(join(kernelDir, p)),
      )
    : undefined;
  return { command: ["make", ...args], image };
}
