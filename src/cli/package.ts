import { Command } from "commander";
import { reportFailure } from "./failure.js";
import { during } from "../interrupt/registry.js";
import type { PackagingReport } from "../package/openwrt/package-run.js";
import { cacheRoot } from "../source/cache.js";
import { sourceDateEpoch } from "../stages/package.js";

export function summarizePackaging(p: PackagingReport, dir: string): string {
  return [
    `openwrt  ${dir}: ${p.family}, ${p.archPackages}, kernel (=${p.kernel})`,
    `model    ${p.model}`,
    ...p.packages.map((pkg) => `package  ${pkg.file} (${pkg.module}.ko)`),
    ...p.index.map((f) => `index    ${f}`),
    `feed     ${p.feed} (src-link kbackport ${dir}/feed)`,
    ...p.patches.map((f) => `patch    ${f}`),
  ].join("\n");
}

export const packageCommand = (exit: (code: number) => void) =>
  new Command("package").description("package a run's modules for a distribution").addCommand(
    new Command("openwrt")
      .exitOverride()
      .description(
        "OpenWrt .ipk packages with a feed index (signed with --sign-key), a package feed and backport-format kernel patches, in <out>/openwrt",
      )
      .argument("<run-dir>", "output directory of a build or run")
      .option("--openwrt <dir>", "the OpenWrt buildroot or SDK the run was built for")
      .option(
        "--kernel-package <version>",
        "without a buildroot: the device's kernel package version, as `opkg list-installed kernel` prints it",
      )
      .option("--arch-packages <arch>", "with --kernel-package: the package architecture, e.g. mipsel_24kc")
      .option("--sign-key <file>", "usign secret key (OpenWrt's key-build) to sign the index with")
      .option("--out <dir>", "write <dir>/openwrt (default: the run directory)")
      .option("--json", "print the result as JSON")
      .action(
        async (
          runDir: string,
          flags: {
            openwrt?: string;
            kernelPackage?: string;
            archPackages?: string;
            signKey?: string;
            out?: string;
            json?: boolean;
          },
        ) => {
          try {
            const { packageRunDir } = await import("../package/openwrt/package-dir.js");
            const result = await during("package openwrt", () =>
              packageRunDir({
                runDir,
                openwrt: flags.openwrt,
                kernelPackage: flags.kernelPackage,
                archPackages: flags.archPackages,
                signKey: flags.signKey,
                outDir: flags.out,
                sourceDateEpoch: sourceDateEpoch(),
                cacheDir: cacheRoot(),
              }),
            );
            process.stdout.write(
              flags.json
                ? `${JSON.stringify(result, null, 2)}\n`
                : `${[...result.recovered.map((l) => `note     ${l}`), summarizePackaging(result, result.dir)].join("\n")}\n`,
            );
            exit(0);
          } catch (err) {
            reportFailure(err, flags.json, exit);
          }
        },
      ),
  );
