import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { KbackportError } from "../../errors.js";
import { stageOutput } from "../../output/atomic-dir.js";
import { checkOutputDir } from "../../output/owned-dir.js";
import { recoverOutput } from "../../output/recover.js";
import type { RunReport } from "../../report.js";
import { duplicateWarning } from "../../stages/read-target.js";
import { readRunReport } from "../../validate/run-report.js";
import { packagingBasis } from "../openwrt/package-run.js";
import { assumedOf, CHECK_SCRIPT, checkScript, type Assumed } from "./check-script.js";
import { controlText, dpkgDebBuild, postinst, prerm, requireDpkgDeb } from "./deb.js";
import { dkmsConf, seriesPattern } from "./dkms-conf.js";

export interface DkmsPackaging {
  /** The DKMS module name (the recipe's) and version (the backport's, from the pins). */
  name: string;
  version: string;
  /** The Debian package: <name>-dkms. */
  package: string;
  /** The .deb, under the output's dkms/. */
  deb: string;
  sha256: string;
  size: number;
  /** The DKMS source tree, under dkms/: what the package installs as /usr/src/<name>-<version>. */
  source: string;
  /** The kernel the run was made for, and BUILD_EXCLUSIVE_KERNEL: the series dkms builds it for. */
  release: string;
  kernels: string;
  modules: string[];
  /** What the run's rules assumed of each kernel API, checked before each build. */
  features: { id: string; assumed: Assumed }[];
  /** What installing changes besides adding modules, as the postinst says it. */
  notices: string[];
  maintainer: string;
  /** The date of every file (SOURCE_DATE_EPOCH, else the newest pin's commit date). */
  epoch: number;
}

/** What `package dkms` wrote beside the package. */
const PACKAGING_REPORT = "packaging.json";

/** dh_dkms's dependency when dkms.conf has no BUILD_EXCLUSIVE_CONFIG (dh_dkms, dh-dkms 3.0.10). */
const DEPENDS = ["dkms (>= 2.1.0.0)"];

// Debian Policy 5.6.2 wants a name and address; a .invalid one (RFC 2606) says that none answers there.
const DEFAULT_MAINTAINER = "kbackport <kbackport@kbackport.invalid>";

// dkms refuses to put a module in place of the kernel's own of the same version (both carry none, as the
// kernel's mhi and ours do): "DKMS will not replace this module". A word "<name>_version-override" in a file
// of this directory turns that check off for the DKMS module <name> (dkms's force_installation).
const FORCE_DIR = "usr/share/dkms/modules_to_force_install";

/**
 * `kbackport package dkms RUN`: the run's transformed tree as a DKMS source tree and a .deb of it, in
 * `<out>/dkms` (out: the run itself).
 */
export async function packageDkmsDir(opts: {
  runDir: string;
  outDir?: string;
  maintainer?: string;
  sourceDateEpoch?: number;
}): Promise<DkmsPackaging & { dir: string; recovered: string[] }> {
  const report = readRunReport(opts.runDir);
  if (report.inTree)
    throw new KbackportError(
      `${opts.runDir} was built in its patched kernel tree (--in-tree): DKMS builds against a distribution's own headers`,
      { hint: "package a run made with --kernel /usr/src/linux-headers-<release>" },
    );
  const { recipe, target, pkgVersion, epoch } = packagingBasis(opts.runDir, report, opts.sourceDateEpoch);
  // Debian Policy 5.6.1: package names are lower-case letters, digits, '+', '-' and '.'.
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(recipe))
    throw new KbackportError(`recipe name ${recipe} cannot name a Debian package`, {
      hint: "name the recipe with lower-case letters, digits, '+', '-' and '.'",
    });
  if (target.features.length === 0)
    throw new KbackportError(`${opts.runDir}/report.json does not list the features the run probed`, {
      hint: "run the recipe again with this kbackport",
    });
  const maintainer = opts.maintainer ?? DEFAULT_MAINTAINER;
  if (!/^[^<>\n]+ <[^<>\s]+@[^<>\s]+>$/.test(maintainer))
    throw new KbackportError(`--maintainer ${maintainer}: expected "Name <address>"`, {
      hint: 'for example --maintainer "Jane Doe <jane@example.org>"',
    });
  const treeFiles = checkedTreeFiles(opts.runDir, report);
  requireDpkgDeb();

  const dir = join(resolve(opts.outDir ?? opts.runDir), "dkms");
  const recovered = recoverOutput(dir);
  checkOutputDir(dir, [{ dir: target.dir, what: "the kernel tree" }], opts.outDir && "--out");
  const staged = await stageOutput(dir, "package");
  try {
    const name = recipe;
    const result: DkmsPackaging = {
      name,
      version: pkgVersion,
      package: `${name}-dkms`,
      deb: `${name}-dkms_${pkgVersion}_all.deb`,
      sha256: "",
      size: 0,
      source: `${name}-${pkgVersion}`,
      release: target.release,
      kernels: seriesPattern(target.version),
      modules: report.modules.map((m) => m.name),
      features: target.features.map((f) => ({ id: f.id, assumed: assumedOf(f) })),
      notices: report.duplicates
        .filter((d) => d.choice === "replace")
        .map((d) => `on Linux ${target.release}, ${duplicateWarning(d)}`),
      maintainer,
      epoch,
    };
    const root = join(staged.dir, ".deb-root");
    const srcDir = join(root, "usr/src", result.source);
    for (const file of treeFiles) {
      await mkdir(dirname(join(srcDir, file)), { recursive: true });
      await copyFile(join(opts.runDir, "tree", file), join(srcDir, file));
    }
    await writeFile(
      join(srcDir, "dkms.conf"),
      dkmsConf({
        name,
        version: pkgVersion,
        release: target.release,
        configArgs: (report.make ?? []).filter((a) => /^CONFIG_\w+=/.test(a)),
        modules: report.modules,
        kernelVersion: target.version,
      }),
    );
    await writeFile(
      join(srcDir, CHECK_SCRIPT),
      checkScript({
        name,
        version: pkgVersion,
        recipe: basename(report.recipe!.file),
        release: target.release,
        features: target.features,
      }),
    );
    await mkdir(join(root, FORCE_DIR), { recursive: true });
    await writeFile(join(root, FORCE_DIR, name), `${name}_version-override\n`);
    const installedSize = sizeInKiB(root);
    const md5sums = filesOf(root)
      .map(
        (f) =>
          `${createHash("md5")
            .update(readFileSync(join(root, f)))
            .digest("hex")}  ${f}\n`,
      )
      .join("");

    await mkdir(join(root, "DEBIAN"));
    await writeFile(
      join(root, "DEBIAN/control"),
      controlText({
        package: result.package,
        version: pkgVersion,
        maintainer,
        installedSize,
        depends: DEPENDS,
        section: "kernel",
        priority: "optional",
        description: description(report, result),
      }),
    );
    await writeFile(join(root, "DEBIAN/md5sums"), md5sums);
    await writeFile(join(root, "DEBIAN/postinst"), postinst(name, pkgVersion, result.notices));
    await writeFile(join(root, "DEBIAN/prerm"), prerm(name, pkgVersion));
    const executable = new Set([
      join("usr/src", result.source, CHECK_SCRIPT),
      "DEBIAN/postinst",
      "DEBIAN/prerm",
    ]);
    await settle(root, epoch, executable);

    dpkgDebBuild(root, join(staged.dir, result.deb), epoch);
    const deb = await readFile(join(staged.dir, result.deb));
    result.sha256 = createHash("sha256").update(deb).digest("hex");
    result.size = deb.length;
    await rename(srcDir, join(staged.dir, result.source));
    await rm(root, { recursive: true, force: true });
    await writeFile(join(staged.dir, PACKAGING_REPORT), `${JSON.stringify(result, null, 2)}\n`);
    await staged.commit();
    return { ...result, dir, recovered };
  } catch (err) {
    await staged.abandon();
    throw err;
  }
}

/** The transformed tree's files, each a regular file inside the run's tree/ (report.json is input too). */
function checkedTreeFiles(runDir: string, report: RunReport): string[] {
  if (report.treeFiles.length === 0)
    throw new KbackportError(`${runDir}/report.json does not list the transformed tree's files`, {
      hint: "run the recipe again with this kbackport",
    });
  const tree = realpathSync(join(runDir, "tree"));
  return report.treeFiles.map((file, i) => {
    const rel = normalize(file);
    const path = join(tree, rel);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (isAbsolute(file) || rel.startsWith(`..${sep}`) || !st?.isFile() || realpathSync(path) !== path)
      throw new KbackportError(
        `${join(runDir, "report.json")}: treeFiles.${i}: '${file}' is not a regular file in the run's tree/`,
        { hint: "run kbackport again to make this output anew" },
      );
    return rel;
  });
}

/** The package's description: what it holds, for which kernels, and what installing it does. */
function description(report: RunReport, p: DkmsPackaging): string[] {
  const series = report.target!.version.split(".").slice(0, 2).join(".");
  const pins = report.sources.map((s) => `${s.name} ${s.commit.slice(0, 12)}`).join(", ");
  return [
    `${p.name} kernel modules backported to Linux ${series} (DKMS)`,
    `The modules ${p.modules.join(", ")}, backported by kbackport from upstream (${pins}) for the Linux ${series} kernels, as sources that dkms builds for each installed ${series} kernel with headers.`,
    `Before each build the headers are checked for the kernel APIs the backport was made for (as Linux ${p.release} has them); a kernel that differs is refused naming the API and header. The modules are installed to updates/dkms, where they take the place of the kernel's own modules of the same names; removing the package gives those back.`,
  ];
}

/** Paths of the regular files under root, relative to it and sorted, without DEBIAN/. */
function filesOf(root: string, rel = ""): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (path === "DEBIAN") return [];
      return e.isDirectory() ? filesOf(root, path) : [path];
    });
}

/** Installed-Size as dpkg-gencontrol(1) counts it: each file's size rounded up to KiB, 1 for each directory. */
function sizeInKiB(root: string, rel = ""): number {
  let kib = 0;
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = join(rel, e.name);
    if (e.isDirectory()) kib += 1 + sizeInKiB(root, path);
    else kib += Math.ceil(lstatSync(join(root, path)).size / 1024);
  }
  return kib;
}

/** Every entry's mode (0755 for directories and the executables, 0644 else) and time (the epoch), umask aside. */
async function settle(root: string, epoch: number, executable: ReadonlySet<string>, rel = ""): Promise<void> {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      await settle(root, epoch, executable, path);
      await chmod(join(root, path), 0o755);
    } else await chmod(join(root, path), executable.has(path) ? 0o755 : 0o644);
    await utimes(join(root, path), epoch, epoch);
  }
  if (!rel) {
    await chmod(root, 0o755);
    await utimes(root, epoch, epoch);
  }
}
