import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KbackportError } from "../../errors.js";
import { kernelApi } from "../../kernel/api.js";
import { describeRunModel, runModel } from "../../model/run-model.js";
import type { RunReport } from "../../report.js";
import { RULES } from "../../transform/rules/index.js";
import { backportName, backportPatch } from "./backport-patches.js";
import { backportNumbers, kernelPackageName, packageFacts } from "./facts.js";
import { feedMakefile } from "./feed.js";
import { packagesGz, packagesIndex, type IndexedPackage } from "./feed-index.js";
import { buildIpk, ipkFileName, type Control } from "./ipk.js";
import { spdxLicense } from "./license.js";
import { kernelPackageVersion, kmodVersion, type OpenWrtKernel } from "./releases.js";
import { usignSignature, type SigningKey } from "./usign.js";

export interface OpenWrtPackage {
  package: string;
  version: string;
  module: string;
  /** Path under the output's openwrt/ directory. */
  file: string;
  size: number;
  sha256: string;
}

export interface PackagingReport {
  /** The `kernel` package version every module package depends on exactly. */
  kernel: string;
  family: string;
  /** The reference model the packages' dependencies and licenses come from, named as validate names it. */
  model: string;
  archPackages: string;
  /** The backport's own version part (PKG_VERSION), from the pins. */
  pkgVersion: string;
  /** The date of every archive entry (SOURCE_DATE_EPOCH, else the newest pin's commit date). */
  epoch: number;
  packages: OpenWrtPackage[];
  /** Packages, Packages.gz and Packages.sig. */
  index: string[];
  feed: string;
  patches: string[];
}

/**
 * Writes a run's OpenWrt deliverables into `dir` (the output's openwrt/): one .ipk per built module and the
 * feed index in packages/<arch>/, the package feed in feed/, and the kernel patches in OpenWrt's backport
 * form in target/linux/generic/backport-<series>/.
 */
export async function packageRun(opts: {
  runDir: string;
  report: RunReport;
  kernel: OpenWrtKernel;
  dir: string;
  signKey?: SigningKey;
  /** SOURCE_DATE_EPOCH, when set: the archives' dates. */
  sourceDateEpoch?: number;
  /** Where a model derived at the run's pins is read from and kept, and whether it may fetch. */
  cacheDir: string;
  offline: boolean;
}): Promise<PackagingReport> {
  const { report, kernel } = opts;
  const { recipe, target, pkgVersion, epoch } = packagingBasis(opts.runDir, report, opts.sourceDateEpoch);
  const facts = packageFacts();
  const factsOf = (module: string) => {
    const f = facts[module];
    if (!f)
      throw new KbackportError(`no OpenWrt package is defined for module ${module}`, {
        hint: "add it to openwrt/packages.yaml",
      });
    return f;
  };
  const reference = await runModel(report, { cacheDir: opts.cacheDir, offline: opts.offline });
  const { model } = reference;
  const modelOf = (module: string) => model.modules.find((m) => m.name === module);
  const requiresOf = (module: string) =>
    (modelOf(module)?.requires ?? []).map((r) => factsOf(r).package).sort();

  const kernelVersion = kernelPackageVersion(kernel);
  const packagesDir = join("packages", kernel.archPackages);
  await mkdir(join(opts.dir, packagesDir), { recursive: true });
  const indexed: IndexedPackage[] = [];
  const packages: OpenWrtPackage[] = [];
  const version = kmodVersion(kernel, pkgVersion, "1");
  for (const m of report.modules) {
    const f = factsOf(m.name);
    // The modules it needs were built from the same sources: a release's own package of the same name
    // would not do, so the dependency names our version and opkg upgrades that package along.
    const control: Control = {
      package: f.package,
      version,
      depends: [`kernel (=${kernelVersion})`, ...requiresOf(m.name).map((p) => `${p} (=${version})`)],
      source: `feeds/kbackport/${recipe}`,
      sourceName: kernel.family.sourceName === "package" ? f.package : recipe,
      license: spdxLicense(modelOf(m.name)?.license ?? "GPL v2"),
      section: "kernel",
      architecture: kernel.archPackages,
      description: f.description,
    };
    const autoload = f.autoload
      ? [
          {
            path: `etc/modules.d/${kernelPackageName(f)}`,
            data: Buffer.from(`${m.name}\n`),
            mode: 0o644,
          },
        ]
      : [];
    const ko = {
      path: `lib/modules/${kernel.linuxVersion}/${m.name}.ko`,
      data: await readFile(join(opts.runDir, m.path)),
      mode: 0o644,
    };
    const built = buildIpk(control, [ko, ...autoload], {
      mtime: epoch,
      installedSize: kernel.family.installedSize,
    });
    const fileName = ipkFileName(control);
    await writeFile(join(opts.dir, packagesDir, fileName), built.ipk);
    indexed.push({ fileName, control: built.control, ipk: built.ipk });
    packages.push({
      package: f.package,
      version: control.version,
      module: m.name,
      file: join(packagesDir, fileName),
      size: built.ipk.length,
      sha256: createHash("sha256").update(built.ipk).digest("hex"),
    });
  }
  const index = packagesIndex(indexed);
  const indexFiles = ["Packages", "Packages.gz"];
  await writeFile(join(opts.dir, packagesDir, "Packages"), index);
  await writeFile(join(opts.dir, packagesDir, "Packages.gz"), packagesGz(index));
  if (opts.signKey) {
    await writeFile(
      join(opts.dir, packagesDir, "Packages.sig"),
      usignSignature(opts.signKey, Buffer.from(index)),
    );
    indexFiles.push("Packages.sig");
  }

  const series = target.version.split(".").slice(0, 2).join(".");
  const feedDir = join("feed", recipe);
  await writeFeed(opts.runDir, report, join(opts.dir, feedDir), {
    name: recipe,
    pkgVersion,
    license: spdxLicense("GPL v2"),
    linuxSymbol: `LINUX_${series.replace(".", "_")}`,
    configArgs: (report.make ?? []).filter((a) => /^CONFIG_\w+=/.test(a)),
    modules: report.modules.map((m) => ({
      name: m.name,
      dir: m.dir,
      facts: factsOf(m.name),
      requires: requiresOf(m.name),
    })),
    origin: `kbackport ${report.kbackport}: recipe ${recipe} at ${report.sources.map((s) => `${s.name} ${s.commit}`).join(", ")}, for Linux ${series}`,
  });
  const backportDir = join("target/linux/generic", `backport-${series}`);
  const patches = await writeBackportPatches(opts.runDir, report, join(opts.dir, backportDir));
  const result: PackagingReport = {
    kernel: kernelVersion,
    family: kernel.family.id,
    model: describeRunModel(reference, report),
    archPackages: kernel.archPackages,
    pkgVersion,
    epoch,
    packages,
    index: indexFiles.map((f) => join(packagesDir, f)),
    feed: feedDir,
    patches: patches.map((p) => join(backportDir, p)),
  };
  await writeFile(join(opts.dir, PACKAGING_REPORT), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** What packageRun wrote, beside it: validate reads the packages of a run from it. */
export const PACKAGING_REPORT = "packaging.json";

/**
 * What every package of a run shares, or why the run cannot be packaged: its recipe, target and modules,
 * and the version and date its pins give (checked before anything is written).
 */
export function packagingBasis(runDir: string, report: RunReport, sourceDateEpoch?: number) {
  const recipe = report.recipe?.name;
  const target = report.target;
  if (!recipe || !target || report.modules.length === 0)
    throw new KbackportError(`${runDir} has no built modules to package`, {
      hint: "package the output of `kbackport run` or `build`",
    });
  const newest = report.sources
    .filter((s) => s.committed !== undefined)
    .sort((a, b) => b.committed! - a.committed!)[0];
  if (!newest)
    throw new KbackportError(`${runDir}/report.json does not say when its pins were committed`, {
      hint: "run the recipe again with this kbackport",
    });
  // PKG_VERSION: the day and id of the newest pin, so a later backport sorts after an earlier one and
  // after the release's own package of the same name (opkg upgrades to it, no file clash).
  const day = new Date(newest.committed! * 1000).toISOString().slice(0, 10).replaceAll("-", "");
  return {
    recipe,
    target,
    pkgVersion: `${day}.${newest.commit.slice(0, 7)}`,
    epoch: sourceDateEpoch ?? newest.committed!,
  };
}

/** The feed package: its Makefile and the transformed sources as the run wrote them, without build objects. */
async function writeFeed(
  runDir: string,
  report: RunReport,
  dir: string,
  makefile: Parameters<typeof feedMakefile>[0],
): Promise<void> {
  if (report.treeFiles.length === 0)
    throw new KbackportError(`${runDir}/report.json does not list the transformed tree's files`, {
      hint: "run the recipe again with this kbackport",
    });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "Makefile"), feedMakefile(makefile));
  for (const file of report.treeFiles) {
    await mkdir(dirname(join(dir, "src", file)), { recursive: true });
    await copyFile(join(runDir, "tree", file), join(dir, "src", file));
  }
}

/** The run's kernel patches (patches/kernel/) in OpenWrt's backport naming and format. */
async function writeBackportPatches(runDir: string, report: RunReport, dir: string): Promise<string[]> {
  const numbers = backportNumbers();
  const names: string[] = [];
  for (const kp of report.kernelPatches.filter((p) => p.file)) {
    const rule = RULES.find((r) => r.id === kp.rule);
    const file = kp.file!.replace(/^.*\//, "");
    const number = numbers[file];
    if (!rule?.patch || number === undefined)
      throw new KbackportError(`kernel patch ${file} has no OpenWrt backport number`, {
        hint: "add it to openwrt/kernel-patches.yaml",
      });
    const patch = {
      file,
      text: await readFile(join(runDir, kp.file!), "utf8"),
      api: kernelApi(rule.feature),
      number,
    };
    const name = backportName(patch);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), backportPatch(patch));
    names.push(name);
  }
  return names;
}
