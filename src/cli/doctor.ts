import { existsSync } from "node:fs";
import { Command } from "commander";
import { hasTool, TOOL_PACKAGES } from "../build/toolchain.js";
import { DEBIAN_CROSS } from "../kernel/target.js";

interface Check {
  name: string;
  ok: boolean;
  required: boolean;
  install: string;
}

const HEADERS: [string, string, string][] = [
  ["libelf", "/usr/include/libelf.h", "libelf-dev"],
  ["openssl", "/usr/include/openssl/ssl.h", "libssl-dev"],
];

/** What kbackport needs on this machine, and the Debian packages that provide what is missing. */
export function doctorChecks(arches: readonly string[]): Check[] {
  const checks: Check[] = ["git", "make", "gcc", "flex", "bison", "bc", "modinfo"].map((tool) => ({
    name: tool,
    ok: hasTool(tool),
    required: true,
    install: TOOL_PACKAGES[tool]!,
  }));
  for (const [name, path, pkg] of HEADERS)
    checks.push({ name, ok: existsSync(path), required: true, install: pkg });
  for (const [arch, prefix] of Object.entries(DEBIAN_CROSS)) {
    const tool = `${prefix}gcc`;
    checks.push({
      name: `${tool} (${arch})`,
      ok: hasTool(tool),
      required: arches.includes(arch),
      install: TOOL_PACKAGES[tool]!,
    });
  }
  return checks;
}

export const doctorCommand = (exit: (code: number) => void) =>
  new Command("doctor")
    .description("check the tools kbackport needs and say how to install what is missing")
    .option(
      "--arch <list>",
      "cross architectures you build for (arm64, arm, mips, mipsel, mips64el, ...), comma-separated",
      "",
    )
    .option("--json", "print the checks as JSON")
    .action((flags: { arch: string; json?: boolean }) => {
      const checks = doctorChecks(flags.arch.split(",").filter(Boolean));
      const missing = checks.filter((c) => !c.ok && c.required);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ checks, missing: missing.map((c) => c.name) }, null, 2)}\n`);
      } else {
        for (const c of checks) {
          const state = c.ok ? "ok" : c.required ? "MISSING" : "not installed (optional)";
          process.stdout.write(`${c.name.padEnd(36)} ${state}\n`);
        }
        if (missing.length > 0) {
          process.stdout.write(
            `\ninstall what is missing: apt-get install ${[...new Set(missing.map((c) => c.install))].join(" ")}\n`,
          );
        }
      }
      exit(missing.length > 0 ? 1 : 0);
    });
