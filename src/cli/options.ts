import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { cacheRoot } from "../source/cache.js";
import { parseSourceOverride, type SourceOverride } from "../source/override.js";
import { errorMessage } from "../errors.js";
import { DUPLICATE_CHOICES, type DuplicateChoice } from "../kernel/duplicates.js";
import type { PipelineOptions, Command as Stage } from "../pipeline.js";

export interface CommonFlags {
  kernel?: string;
  out?: string;
  source: SourceOverride[];
  components?: string[];
  assumeMissing: string[];
  arch?: string;
  crossCompile?: string;
  offline?: boolean;
  duplicates: DuplicateChoice;
  jobs?: number;
  inTree?: boolean;
  inPlace?: boolean;
  openwrt?: string;
  signKey?: string;
  json?: boolean;
  junit?: string;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean),
];

const sourceOption = (value: string, previous: SourceOverride[] = []) => {
  try {
    return [...previous, parseSourceOverride(value)];
  } catch (err) {
    throw new InvalidArgumentError(errorMessage(err));
  }
};

/** The options every pipeline command takes. */
export function withPipelineOptions(cmd: Command, targetOptions: boolean): Command {
  cmd
    .argument("<recipe>", "recipe YAML file, e.g. recipes/mhi-wwan.yaml")
    .option(
      "--source <name=path-or-url[@commit]>",
      "take a recipe source from another repository (and commit)",
      sourceOption,
      [],
    )
    .option(
      "--components <list>",
      "build only these components (and what they require), comma-separated",
      list,
    )
    .option("--offline", "use the source cache only, never the network")
    .option("--json", "print one JSON report on stdout instead of progress")
    .option("--junit <file>", "also write the result as JUnit XML (a case per stage, module and package)");
  if (targetOptions) {
    cmd
      .option(
        "--kernel <dir>",
        "configured kernel tree or linux-headers-* directory (default: the running kernel's build dir)",
      )
      .option("--out <dir>", "output directory (default: out/<recipe>-<kernel release>)")
      .option(
        "--assume-missing <features>",
        "treat these features as absent on the target, comma-separated",
        list,
        [],
      )
      .option("--arch <arch>", "kernel ARCH of the target (default: from its .config)")
      .addOption(
        new Option(
          "--duplicates <choice>",
          "components the target kernel already has: replace them, skip them, or (--in-tree) turn the kernel's own off",
        )
          .choices(DUPLICATE_CHOICES)
          .default("replace"),
      )
      .option(
        "--in-tree",
        "apply the kernel and driver patches to a copy of the --kernel source tree (<out>/kernel), rebuild it and build the modules there",
      )
      .option("--in-place", "with --in-tree: patch and build in the --kernel tree itself, not a copy")
      .option(
        "--openwrt <dir>",
        "an OpenWrt buildroot (kernel built) or SDK: the target's kernel, toolchain and package scheme come from it; run also packages the modules",
      )
      .option("--sign-key <file>", "with run --openwrt: usign secret key to sign the package index with")
      .option(
        "--cross-compile <prefix>",
        "toolchain prefix, e.g. aarch64-linux-gnu- (default: Debian's for the arch)",
      )
      .addOption(
        new Option("-j, --jobs <n>", "parallel make jobs").default(availableParallelism()).argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1)
            throw new InvalidArgumentError("expected a positive whole number");
          return n;
        }),
      );
  }
  return cmd;
}

export function pipelineOptions(command: Stage, recipeFile: string, flags: CommonFlags): PipelineOptions {
  return {
    command,
    recipeFile,
    kernelDir: flags.kernel,
    outDir: flags.out,
    sources: flags.source,
    components: flags.components,
    assumeMissing: flags.assumeMissing ?? [],
    arch: flags.arch,
    crossCompile: flags.crossCompile,
    offline: flags.offline === true,
    duplicates: flags.duplicates ?? "replace",
    jobs: flags.jobs,
    inTree: flags.inTree === true,
    inPlace: flags.inPlace === true,
    openwrt: flags.openwrt,
    signKey: flags.signKey,
    cacheDir: cacheRoot(),
    cwd: process.cwd(),
  };
}

/** listr2's renderer: none with --json, plain lines in CI or without a terminal, live otherwise. */
export function rendererFor(json: boolean | undefined): "default" | "simple" | "silent" {
  if (json) return "silent";
  if (process.env.CI === "true" || !process.stderr.isTTY || !process.stdout.isTTY) return "simple";
  return "default";
}
