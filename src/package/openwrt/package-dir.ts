import { join, resolve } from "node:path";
import { KbackportError } from "../../errors.js";
import { stageOutput } from "../../output/atomic-dir.js";
import { checkOutputDir } from "../../output/owned-dir.js";
import { recoverOutput } from "../../output/recover.js";
import { readRunReport } from "../../validate/run-report.js";
import { readOpenWrtTree } from "./openwrt-dir.js";
import { packageRun, packagingBasis, type PackagingReport } from "./package-run.js";
import { parseKernelPackageVersion, type OpenWrtKernel } from "./releases.js";
import { readSigningKey } from "./usign.js";

export interface PackageDirOptions {
  runDir: string;
  openwrt?: string;
  kernelPackage?: string;
  archPackages?: string;
  signKey?: string;
  outDir?: string;
  sourceDateEpoch?: number;
  cacheDir: string;
}

/**
 * `kbackport package openwrt RUN`: the run's modules as OpenWrt packages for a kernel named by an OpenWrt
 * tree or by the device's `kernel` package version, written to `<out>/openwrt` (out: the run itself).
 */
export async function packageRunDir(
  opts: PackageDirOptions,
): Promise<PackagingReport & { dir: string; recovered: string[] }> {
  const report = readRunReport(opts.runDir);
  const kernel = kernelOf(opts);
  const built = report.target?.version;
  if (built && built !== kernel.linuxVersion) {
    throw new KbackportError(
      `${opts.runDir} was built against Linux ${built}, but the OpenWrt kernel is ${kernel.linuxVersion}: its modules would not load there`,
      { hint: "build the run against that kernel first (kbackport run RECIPE --openwrt DIR)" },
    );
  }
  packagingBasis(opts.runDir, report);
  const signKey = opts.signKey === undefined ? undefined : readSigningKey(opts.signKey);
  const dir = join(resolve(opts.outDir ?? opts.runDir), "openwrt");
  const recovered = recoverOutput(dir);
  checkOutputDir(
    dir,
    [
      ...(opts.openwrt ? [{ dir: opts.openwrt, what: "the OpenWrt tree" }] : []),
      ...(report.target ? [{ dir: report.target.dir, what: "the kernel tree" }] : []),
    ],
    opts.outDir && "--out",
  );
  const staged = await stageOutput(dir, "package");
  try {
    const result = await packageRun({
      runDir: opts.runDir,
      report,
      kernel,
      dir: staged.dir,
      signKey,
      sourceDateEpoch: opts.sourceDateEpoch,
      cacheDir: opts.cacheDir,
      offline: false,
    });
    await staged.commit();
    return { ...result, dir, recovered };
  } catch (err) {
    await staged.abandon();
    throw err;
  }
}

function kernelOf(opts: PackageDirOptions): OpenWrtKernel {
  if (opts.openwrt !== undefined) {
    if (opts.kernelPackage !== undefined || opts.archPackages !== undefined)
      throw new KbackportError(
        "--openwrt names the kernel already: leave out --kernel-package and --arch-packages",
      );
    return readOpenWrtTree(opts.openwrt);
  }
  if (opts.kernelPackage === undefined || opts.archPackages === undefined)
    throw new KbackportError(
      "which OpenWrt kernel? pass --openwrt DIR, or --kernel-package VERSION with --arch-packages ARCH",
      {
        hint: "on the device: `opkg list-installed kernel` prints the version, and ARCH is DISTRIB_ARCH in /etc/openwrt_release",
      },
    );
  if (!/^[a-z0-9_]+$/.test(opts.archPackages))
    throw new KbackportError(
      `--arch-packages ${opts.archPackages}: not an OpenWrt package architecture (e.g. mipsel_24kc)`,
    );
  return { ...parseKernelPackageVersion(opts.kernelPackage), archPackages: opts.archPackages };
}
