import { Command } from "commander";
import { reportFailure } from "./failure.js";
import { during } from "../interrupt/registry.js";
import type { DkmsPackaging } from "../package/dkms/package-dkms.js";
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

export function summarizeDkms(p: DkmsPackaging, dir: string): string {
  const present = p.features.filter((f) => f.assumed === "present").length;
  return [
    `dkms     ${dir}: ${p.name} ${p.version}, made for Linux ${p.release}, built by dkms for kernels ${p.kernels}`,
    `source   ${p.source}/ (/usr/src/${p.source} in the package)`,
    `package  ${p.deb} (${p.package}, ${p.size} bytes, sha256 ${p.sha256.slice(0, 16)})`,
    ...p.modules.map((m) => `module   ${m}.ko -> /lib/modules/<release>/updates/dkms/`),
    `features ${present} present, ${p.features.length - present} missing: checked in the headers before each build`,
    ...p.notices.map((n) => `warning  ${n}`),
  ].join("\n");
}

export const packageCommand = (exit: (code: number) => void) =>
  new Command("package")
    .description("package a run's modules for a distribution")
    .addCommand(dkmsCommand(exit))
    .addCommand(
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

const dkmsCommand = (exit: (code: number) => void) =>
  new Command("dkms")
    .exitOverride()
    .description(
      "a DKMS source tree and a .deb of it for Debian and Ubuntu: dkms builds the modules for each kernel of the run's series, in <out>/dkms",
    )
    .argument("<run-dir>", "output directory of a build or run against distribution headers")
    .option("--maintainer <name-and-address>", 'the package\'s Maintainer: "Name <address>"')
    .option("--out <dir>", "write <dir>/dkms (default: the run directory)")
    .option("--json", "print the result as JSON")
    .action(async (runDir: string, flags: { maintainer?: string; out?: string; json?: boolean }) => {
      try {
        const { packageDkmsDir } = await import("../package/dkms/package-dkms.js");
        const result = await during("package dkms", () =>
          packageDkmsDir({
            runDir,
            outDir: flags.out,
            maintainer: flags.maintainer,
            sourceDateEpoch: sourceDateEpoch(),
          }),
        );
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `${[...result.recovered.map((l) => `note     ${l}`), summarizeDkms(result, result.dir)].join("\n")}\n`,
        );
        exit(0);
      } catch (err) {
        reportFailure(err, flags.json, exit);
      }
    });
