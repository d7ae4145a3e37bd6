import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KbackportError } from "../errors.js";
import { DEBIAN_CROSS, type KernelTarget } from "../kernel/target.js";

/** Debian packages that provide each tool kbackport runs; a cross gcc's package is named after its prefix. */
export const TOOL_PACKAGES: Record<string, string> = {
  git: "git",
  make: "make",
  patch: "patch",
  gcc: "gcc",
  flex: "flex",
  bison: "bison",
  bc: "bc",
  modinfo: "kmod",
  ...Object.fromEntries(
    Object.values(DEBIAN_CROSS).map((prefix) => [
      `${prefix}gcc`,
      `gcc-${prefix.slice(0, -1).replace(/_/g, "-")}`,
    ]),
  ),
};

/** Whether `name` runs as a command: an executable file in a $PATH directory (or at the path given). */
export function hasTool(name: string): boolean {
  const candidates = name.includes("/")
    ? [name]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir || ".", name));
  return candidates.some(isExecutableFile);
}

// Looked up here rather than by a shell's `command -v`: a run asks several times, and each spawn costs.
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function installHint(tool: string): string {
  const pkg =
    TOOL_PACKAGES[tool] ??
    TOOL_PACKAGES[tool.replace(/-\d+$/, "")] ??
    tool.replace(/^(.*-)?(gcc)-(\d+)$/, "$1$2-$3");
  return `install it: apt-get install ${pkg}`;
}

/**
 * The compiler to build with: the one the target names (Debian's headers ask for the gcc they were built
 * with), else the toolchain's plain gcc. Returns the CC override to pass to make, if any.
 */
export function chooseCompiler(target: Pick<KernelTarget, "compiler" | "crossCompile">): {
  cc: string;
  override?: string;
  note?: string;
} {
  if (hasTool(target.compiler)) return { cc: target.compiler };
  const plain = `${target.crossCompile}gcc`;
  if (plain !== target.compiler && hasTool(plain)) {
    return {
      cc: plain,
      override: plain,
      note: `the target was built with ${target.compiler}, which is not installed; building with ${plain}`,
    };
  }
  throw new KbackportError(`compiler ${target.compiler} not found`, {
    hint: `${installHint(plain)}${target.crossCompile ? " (or pass --cross-compile with the prefix of your toolchain)" : ""}`,
  });
}
