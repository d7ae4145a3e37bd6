import { spawnSync } from "node:child_process";
import { KbackportError } from "../../errors.js";

/** The fields of the package's DEBIAN/control, in the order dpkg-gencontrol writes them. */
export interface DebControl {
  package: string;
  version: string;
  maintainer: string;
  installedSize: number;
  depends: string[];
  section: string;
  priority: string;
  /** The synopsis, then the extended description's paragraphs. */
  description: string[];
}

/** deb-control(5): a folded Description, each extended line led by a space and an empty one written " .". */
export function controlText(c: DebControl): string {
  const [synopsis, ...body] = c.description;
  const extended = body.flatMap((p, i) => [...(i > 0 ? [" ."] : []), ...fold(p).map((l) => ` ${l}`)]);
  return [
    `Package: ${c.package}`,
    `Version: ${c.version}`,
    "Architecture: all",
    `Maintainer: ${c.maintainer}`,
    `Installed-Size: ${c.installedSize}`,
    `Depends: ${c.depends.join(", ")}`,
    `Section: ${c.section}`,
    `Priority: ${c.priority}`,
    `Description: ${synopsis}`,
    ...extended,
    "",
  ].join("\n");
}

/** A paragraph in lines of at most 79 characters, at spaces. */
function fold(paragraph: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > 79) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

// Debian's dh_dkms (package dh-dkms, bookworm's 3.0.10-8) adds these two snippets,
// /usr/share/debhelper/autoscripts/postinst-dkms and prerm-dkms, with the module's name and version put in:
// on configure, dkms's common.postinst adds the source tree, builds and installs for the installed
// kernels; before removal (and upgrade), `dkms remove --all` takes the modules out of every kernel.
const POSTINST_DKMS = `DKMS_NAME=#MODULE_NAME#
DKMS_PACKAGE_NAME=$DKMS_NAME-dkms
DKMS_VERSION=#MODULE_VERSION#

postinst_found=0

case "$1" in
	configure)
		for DKMS_POSTINST in /usr/lib/dkms/common.postinst /usr/share/$DKMS_PACKAGE_NAME/postinst; do
			if [ -f $DKMS_POSTINST ]; then
				$DKMS_POSTINST $DKMS_NAME $DKMS_VERSION /usr/share/$DKMS_PACKAGE_NAME "" $2
				postinst_found=1
				break
			fi
		done
		if [ "$postinst_found" -eq 0 ]; then
			echo "ERROR: DKMS version is too old and $DKMS_PACKAGE_NAME was not"
			echo "built with legacy DKMS support."
			echo "You must either rebuild $DKMS_PACKAGE_NAME with legacy postinst"
			echo "support or upgrade DKMS to a more current version."
			exit 1
		fi
	;;
esac
`;

const PRERM_DKMS = `DKMS_NAME=#MODULE_NAME#
DKMS_VERSION=#MODULE_VERSION#

case "$1" in
    remove|upgrade|deconfigure)
      if [  "$(dkms status -m $DKMS_NAME -v $DKMS_VERSION)" ]; then
         dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all
      fi
    ;;
esac
`;

/** As debhelper wraps an autoscript into a maintainer script: sh, set -e, the snippet between its marks. */
function maintainerScript(snippet: string, name: string, version: string, before = ""): string {
  const filled = snippet.replaceAll("#MODULE_NAME#", name).replaceAll("#MODULE_VERSION#", version);
  return `#!/bin/sh\nset -e\n${before}# Automatically added by dh_dkms\n${filled}# End automatically added section\n`;
}

/**
 * postinst: dh_dkms's, preceded on configure by what installing changes besides the new modules (the
 * run's own words on the kernel modules the backport replaces), so that it is said before dkms builds.
 */
export function postinst(name: string, version: string, notices: readonly string[]): string {
  const said = notices.length
    ? `if [ "$1" = configure ]; then\n\tcat <<'NOTICE'\n${notices.map((n) => `${name}-dkms: ${n}`).join("\n")}\nNOTICE\nfi\n`
    : "";
  return maintainerScript(POSTINST_DKMS, name, version, said);
}

export const prerm = (name: string, version: string) => maintainerScript(PRERM_DKMS, name, version);

/** Refuses, before any work, a machine without dpkg-deb. */
export function requireDpkgDeb(): void {
  const r = spawnSync("dpkg-deb", ["--version"], { stdio: "ignore" });
  if (r.error || r.status !== 0) {
    throw new KbackportError("dpkg-deb is not installed: it builds the .deb", {
      hint: "apt-get install dpkg (on other systems, install their dpkg package)",
    });
  }
}

/**
 * `dpkg-deb --build` of a package root, reproducibly: entries owned by root (--root-owner-group), the ar
 * members and (clamped) file times at SOURCE_DATE_EPOCH, xz in one thread (DPKG_DEB_THREADS_MAX; older
 * dpkg ignores it and compresses in one anyway). dpkg-deb sorts the entries itself.
 */
export function dpkgDebBuild(root: string, deb: string, epoch: number): void {
  const r = spawnSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", root, deb], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), DPKG_DEB_THREADS_MAX: "1", LC_ALL: "C" },
    encoding: "utf8",
  });
  if (r.status !== 0 || /warning/.test(r.stderr)) {
    throw new KbackportError(
      `dpkg-deb failed to build ${deb}: ${(r.stderr || r.error?.message || "").trim()}`,
    );
  }
}
