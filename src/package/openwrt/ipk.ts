import { gnuTar, gzip, type TarEntry } from "./tar.js";

/** The fields of an OpenWrt package's control file, in the order OpenWrt writes them. */
export interface Control {
  package: string;
  version: string;
  depends: string[];
  source: string;
  sourceName: string;
  license: string;
  section: string;
  architecture: string;
  description: string;
}

export interface IpkFile {
  /** Path inside the package, without "./": "lib/modules/5.10.221/mhi.ko". */
  path: string;
  data: Uint8Array;
  mode: number;
}

export interface IpkOptions {
  mtime: number;
  /** Installed-Size: the compressed data.tar.gz (21.02-23.05) or the uncompressed tar (24.10). */
  installedSize: "data.tar.gz" | "data.tar";
}

/**
 * The control file as include/package-ipkg.mk (package-pack.mk in 24.10) writes it: empty fields left out
 * (addfield), Installed-Size filled in by ipkg-build, and the description's lines each led by one space
 * after "Description: " (`printf "Description: "; echo "$DESCRIPTION" | sed -e 's,^[[:space:]]*, ,g'`).
 */
export function controlText(c: Control, installedSize: number): string {
  const field = (name: string, value: string) => (value ? `${name}: ${value}\n` : "");
  const description = c.description
    .split("\n")
    .map((l) => ` ${l.trim()}`)
    .join("\n");
  return (
    field("Package", c.package) +
    field("Version", c.version) +
    field("Depends", c.depends.join(", ")) +
    field("Source", c.source) +
    field("SourceName", c.sourceName) +
    field("License", c.license) +
    field("Section", c.section) +
    field("Architecture", c.architecture) +
    field("Installed-Size", String(installedSize)) +
    `Description: ${description}\n`
  );
}

// include/package-ipkg.mk@v22.03.7 (package-pack.mk in 24.10): the scripts every package gets, which run
// the package's own postinst-pkg/prerm-pkg and, for kernel modules, kmodloader through lib/functions.sh.
const POSTINST = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s \${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. \${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
`;
const PRERM = `#!/bin/sh
[ -s \${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. \${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
`;

/**
 * An .ipk as OpenWrt's scripts/ipkg-build makes it: a gzip'd GNU tar (not ar) of ./debian-binary,
 * ./data.tar.gz and ./control.tar.gz in that order; the inner tars list "./" and every directory, sorted
 * by name, all entries owned by 0 without names (tar --numeric-owner) and dated `mtime`, gzip -n.
 */
export function buildIpk(
  control: Control,
  files: readonly IpkFile[],
  opts: IpkOptions,
): { ipk: Buffer; control: string } {
  const tarOpts = { mtime: opts.mtime };
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join("/")}/`);
  }
  const data: TarEntry[] = [
    { name: "./", mode: 0o755 },
    ...[...dirs].map((d) => ({ name: `./${d}`, mode: 0o755 })),
    ...files.map((f) => ({ name: `./${f.path}`, mode: f.mode, data: f.data })),
  ].sort((a, b) => byName(a.name, b.name));
  const dataTar = gnuTar(data, tarOpts);
  const dataGz = gzip(dataTar);
  const size = opts.installedSize === "data.tar.gz" ? dataGz.length : dataTar.length;
  const controlFile = controlText(control, size);
  const controlGz = gzip(
    gnuTar(
      [
        { name: "./", mode: 0o755 },
        { name: "./control", mode: 0o644, data: Buffer.from(controlFile) },
        { name: "./postinst", mode: 0o755, data: Buffer.from(POSTINST) },
        { name: "./prerm", mode: 0o755, data: Buffer.from(PRERM) },
      ],
      tarOpts,
    ),
  );
  const ipk = gzip(
    gnuTar(
      [
        { name: "./debian-binary", mode: 0o644, data: Buffer.from("2.0\n") },
        { name: "./data.tar.gz", mode: 0o644, data: dataGz },
        { name: "./control.tar.gz", mode: 0o644, data: controlGz },
      ],
      tarOpts,
    ),
  );
  return { ipk, control: controlFile };
}

/** tar --sort=name under LC_ALL=C: each directory's entries bytewise, a directory before what it holds. */
function byName(a: string, b: string): number {
  const pa = a.replace(/\/$/, "").split("/");
  const pb = b.replace(/\/$/, "").split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = Buffer.compare(Buffer.from(pa[i]!), Buffer.from(pb[i]!));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** `<package>_<version>_<architecture>.ipk`, the version without an epoch, as ipkg-build names it. */
export function ipkFileName(c: Pick<Control, "package" | "version" | "architecture">): string {
  return `${c.package}_${c.version.replace(/^\d+:/, "")}_${c.architecture}.ipk`;
}
