import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packagesGz, packagesIndex } from "../../src/package/openwrt/feed-index.js";
import { buildIpk, ipkFileName, type Control } from "../../src/package/openwrt/ipk.js";
import { gnuTar } from "../../src/package/openwrt/tar.js";
import { tempDir } from "../helpers/cli.js";

const control: Control = {
  package: "kmod-mhi-net",
  version: "5.10.221+20000102.8fcde42-1",
  depends: ["kernel (=5.10.221-1-0123456789abcdef0123456789abcdef)", "kmod-mhi-bus"],
  source: "feeds/kbackport/mhi-wwan",
  sourceName: "kmod-mhi-net",
  license: "GPL-2.0-only",
  section: "kernel",
  architecture: "mipsel_24kc",
  description: "Driver for MHI network interface\nsecond line",
};
const ko = Buffer.from("\x7fELF module bytes");
const files = [
  { path: "lib/modules/5.10.221/mhi_net.ko", data: ko, mode: 0o644 },
  { path: "etc/modules.d/mhi-net", data: Buffer.from("mhi_net\n"), mode: 0o644 },
];
const tar = (args: string[], input?: Buffer) => execFileSync("tar", args, { input }).toString();

function unpack(ipk: Buffer) {
  const dir = tempDir("ipk");
  writeFileSync(join(dir, "x.ipk"), ipk);
  tar(["-xzf", join(dir, "x.ipk"), "-C", dir]);
  return dir;
}

describe("ipk files as OpenWrt's ipkg-build makes them", () => {
  const opts = { mtime: 946771200, installedSize: "data.tar.gz" as const };

  it("are a gzip'd GNU tar of debian-binary, data.tar.gz and control.tar.gz, in that order", () => {
    const { ipk } = buildIpk(control, files, opts);
    expect(ipk.subarray(0, 10)).toEqual(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    expect(tar(["-tvzf", "-", "--numeric-owner"], ipk).trim().split("\n")).toEqual([
      expect.stringMatching(/^-rw-r--r-- 0\/0 +4 2000-01-02 00:00 \.\/debian-binary$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +\d+ 2000-01-02 00:00 \.\/data\.tar\.gz$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +\d+ 2000-01-02 00:00 \.\/control\.tar\.gz$/),
    ]);
    const dir = unpack(ipk);
    expect(readFileSync(join(dir, "debian-binary"), "utf8")).toBe("2.0\n");
    expect(
      tar(["-tzf", join(dir, "data.tar.gz")])
        .trim()
        .split("\n"),
    ).toEqual([
      "./",
      "./etc/",
      "./etc/modules.d/",
      "./etc/modules.d/mhi-net",
      "./lib/",
      "./lib/modules/",
      "./lib/modules/5.10.221/",
      "./lib/modules/5.10.221/mhi_net.ko",
    ]);
    expect(
      tar(["-tzf", join(dir, "control.tar.gz")])
        .trim()
        .split("\n"),
    ).toEqual(["./", "./control", "./postinst", "./prerm"]);
    // GNU format, as tar --format=gnu: magic "ustar  \0"; no user or group names with --numeric-owner.
    const dataTar = execFileSync("gzip", ["-dc", join(dir, "data.tar.gz")]);
    expect(dataTar.subarray(257, 265).toString("latin1")).toBe("ustar  \0");
    expect(dataTar.subarray(265, 297).toString("latin1").replace(/\0+$/, "")).toBe("");
  });

  it("carry the control fields in OpenWrt's order, Installed-Size as the release computes it", () => {
    const gz = buildIpk(control, files, opts);
    const dir = unpack(gz.ipk);
    const dataGzSize = readFileSync(join(dir, "data.tar.gz")).length;
    const text = tar(["-xzOf", join(dir, "control.tar.gz"), "./control"]);
    expect(text).toBe(
      [
        "Package: kmod-mhi-net",
        "Version: 5.10.221+20000102.8fcde42-1",
        "Depends: kernel (=5.10.221-1-0123456789abcdef0123456789abcdef), kmod-mhi-bus",
        "Source: feeds/kbackport/mhi-wwan",
        "SourceName: kmod-mhi-net",
        "License: GPL-2.0-only",
        "Section: kernel",
        "Architecture: mipsel_24kc",
        `Installed-Size: ${dataGzSize}`,
        "Description:  Driver for MHI network interface",
        " second line",
        "",
      ].join("\n"),
    );
    expect(gz.control).toBe(text);
    const unpacked = buildIpk(control, files, { ...opts, installedSize: "data.tar" });
    const dir2 = unpack(unpacked.ipk);
    const tarSize = execFileSync("gzip", ["-dc", join(dir2, "data.tar.gz")]).length;
    expect(tarSize % 10240).toBe(0);
    expect(unpacked.control).toContain(`Installed-Size: ${tarSize}\n`);
    expect(tar(["-xzOf", join(dir, "control.tar.gz"), "./postinst"])).toBe(
      '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n',
    );
    expect(tar(["-xzOf", join(dir, "control.tar.gz"), "./prerm"])).toBe(
      "#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n",
    );
  });

  it("are byte-identical for the same input", () => {
    const a = buildIpk(control, files, opts).ipk;
    expect(a.equals(buildIpk(control, files, opts).ipk)).toBe(true);
    expect(ipkFileName(control)).toBe("kmod-mhi-net_5.10.221+20000102.8fcde42-1_mipsel_24kc.ipk");
  });

  it("refuse an entry name longer than a tar header holds", () => {
    expect(() => gnuTar([{ name: `./${"x".repeat(120)}`, mode: 0o644 }], { mtime: 0 })).toThrow(
      "archive entry name too long for a tar header",
    );
  });
});

describe("the feed index", () => {
  it("puts Filename, Size and SHA256sum before Description and drops the fields devices do not need", () => {
    const a = buildIpk(control, files, { mtime: 0, installedSize: "data.tar.gz" });
    const b = buildIpk(
      { ...control, package: "kmod-mhi-bus", sourceName: "kmod-mhi-bus", depends: [control.depends[0]!] },
      files,
      {
        mtime: 0,
        installedSize: "data.tar.gz",
      },
    );
    const index = packagesIndex([
      { fileName: ipkFileName(control), control: a.control, ipk: a.ipk },
      { fileName: "kmod-mhi-bus_x.ipk", control: b.control, ipk: b.ipk },
    ]);
    const stanzas = index.trimEnd().split("\n\n");
    expect(stanzas[0]).toMatch(/^Package: kmod-mhi-bus\n/);
    expect(stanzas[1]).not.toMatch(/^(Source|SourceName):/m);
    const sha = execFileSync("sha256sum", { input: a.ipk }).toString().slice(0, 64);
    expect(stanzas[1]).toContain(
      `Installed-Size: ${/Installed-Size: (\d+)/.exec(a.control)![1]}\nFilename: ${ipkFileName(control)}\nSize: ${a.ipk.length}\nSHA256sum: ${sha}\nDescription:  Driver for MHI network interface\n second line`,
    );
    const dir = tempDir("index");
    mkdirSync(join(dir, "p"));
    writeFileSync(join(dir, "p/Packages.gz"), packagesGz(index));
    expect(execFileSync("gzip", ["-dc", join(dir, "p/Packages.gz")]).toString()).toBe(index);
  });

  it("is padded where old usign mis-hashed a message of that length", () => {
    const ipk = Buffer.from("x");
    for (let n = 0; n < 140; n++) {
      const index = packagesIndex([
        { fileName: "a.ipk", control: `Package: a\nX: ${"y".repeat(n)}\nDescription:  d\n`, ipk },
      ]);
      const unpadded = index.replace(/\n\n\n$/, "\n");
      const padded = [110, 111].includes((64 + Buffer.byteLength(unpadded)) % 128);
      expect(index.endsWith("\n\n\n")).toBe(padded);
    }
  });
});
