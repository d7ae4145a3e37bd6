import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readKernelTarget } from "../../src/kernel/target.js";
import type { RefreshReport } from "../../src/refresh/refresh.js";
import type { Check } from "../../src/validate/check.js";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { mipselTree510 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { layOpenWrt, type OpenWrtLayout } from "../helpers/openwrt.js";
import { fixtureSources, recipeAt } from "../helpers/upstream.js";

// OpenWrt 22.03's ramips/mt7621 is mipsel_24kc on 5.10: a little-endian MIPS 5.10 kernel from Debian's
// linux-source-5.10 (tinyconfig, a Malta board with PCI, built for its Module.symvers), with an OpenWrt
// buildroot laid around it.
let tree: string;
let buildroot: OpenWrtLayout;
let key: { sec: string; pub: string };
let first: string;
let second: string;
let firstReport: Awaited<ReturnType<typeof kbackportJson>>["report"];
const ARCH_DIR = "openwrt/packages/mipsel_24kc";
// The packages each module's package needs: the modules it calls into (modinfo depends).
const REQUIRES: Record<string, string[]> = {
  mhi: [],
  mhi_pci_generic: ["kmod-mhi-bus"],
  mhi_net: ["kmod-mhi-bus"],
  wwan: [],
  wwan_hwsim: ["kmod-wwan"],
  mhi_wwan_ctrl: ["kmod-mhi-bus", "kmod-wwan"],
  mhi_wwan_mbim: ["kmod-mhi-bus", "kmod-wwan"],
};
const cache = tempDir("openwrt-cache");

const runOpenWrt = (dir: string, out: string, extra: string[] = []) =>
  kbackportJson(
    ["run", "recipes/mhi-wwan.yaml", "--openwrt", dir, "--out", out, ...extra, ...fixtureSources()],
    {
      KBACKPORT_CACHE_DIR: cache,
    },
  );
const tar = (args: string[], input?: Buffer) => execFileSync("tar", args, { input }).toString();
const ipks = (out: string) =>
  readdirSync(join(out, ARCH_DIR))
    .filter((f) => f.endsWith(".ipk"))
    .sort();

beforeAll(async () => {
  tree = await mipselTree510();
  buildroot = layOpenWrt(tree, { release: "22.03", kind: "buildroot" });
  const keys = tempDir("openwrt-key");
  key = { sec: join(keys, "key-build.sec"), pub: join(keys, "key-build.pub") };
  execFileSync("signify-openbsd", ["-G", "-n", "-c", "kbackport test key", "-p", key.pub, "-s", key.sec]);
  first = join(tempDir("openwrt-out1"), "out");
  second = join(tempDir("openwrt-out2"), "out");
  const a = await runOpenWrt(buildroot.dir, first, ["--sign-key", key.sec]);
  expect(a.report.errors).toEqual([]);
  expect(a.exitCode).toBe(0);
  firstReport = a.report;
  const b = await runOpenWrt(buildroot.dir, second, ["--sign-key", key.sec]);
  expect(b.exitCode).toBe(0);
});

describe("run --openwrt on an OpenWrt 22.03 buildroot (ramips/mt7621, mipsel_24kc, Linux 5.10)", () => {
  it("takes the kernel tree, toolchain, package arch and kernel hash from the buildroot", () => {
    expect(firstReport.target).toMatchObject({
      dir: buildroot.kernelDir,
      arch: "mips",
      crossCompile: join(
        buildroot.dir,
        "staging_dir/toolchain-mipsel_24kc_gcc-11.2.0_musl/bin/mipsel-openwrt-linux-musl-",
      ),
    });
    expect(firstReport.modules.map((m) => m.name)).toEqual(X86_MODULES);
    // Without an OpenWrt toolchain, a little-endian MIPS tree defaults to Debian's mipsel compiler.
    expect(readKernelTarget(tree).crossCompile).toBe("mipsel-linux-gnu-");
    expect(firstReport.openwrt).toMatchObject({
      family: "openwrt-21.02-23.05",
      archPackages: "mipsel_24kc",
      kernel: `5.10.262-1-${buildroot.vermagic}`,
    });
    expect(firstReport.stages.map((s) => s.id)).toEqual([
      "recipe",
      "target",
      "fetch",
      "probe",
      "transform",
      "build",
      "package",
    ]);
  });

  it("writes one .ipk per module that plain tar unpacks, with OpenWrt's control fields and files", () => {
    const pkgVersion = firstReport.openwrt!.pkgVersion;
    const names: Record<string, string> = {
      mhi: "kmod-mhi-bus",
      mhi_pci_generic: "kmod-mhi-pci-generic",
      mhi_net: "kmod-mhi-net",
      wwan: "kmod-wwan",
      wwan_hwsim: "kmod-wwan-hwsim",
      mhi_wwan_ctrl: "kmod-mhi-wwan-ctrl",
      mhi_wwan_mbim: "kmod-mhi-wwan-mbim",
    };
    const version = `5.10.262+${pkgVersion}-1`;
    expect(pkgVersion).toMatch(/^\d{8}\.[0-9a-f]{7}$/);
    expect(ipks(first)).toEqual(
      Object.values(names)
        .map((p) => `${p}_${version}_mipsel_24kc.ipk`)
        .sort(),
    );
    for (const [module, pkg] of Object.entries(names)) {
      const file = join(first, ARCH_DIR, `${pkg}_${version}_mipsel_24kc.ipk`);
      const dir = tempDir("unpacked");
      expect(tar(["-tzf", file]).split("\n").filter(Boolean)).toEqual([
        "./debian-binary",
        "./data.tar.gz",
        "./control.tar.gz",
      ]);
      tar(["-xzf", file, "-C", dir]);
      const short = pkg.replace(/^kmod-/, "");
      const autoload = module !== "wwan_hwsim";
      expect(
        tar(["-tzf", join(dir, "data.tar.gz")])
          .split("\n")
          .filter(Boolean),
      ).toEqual([
        "./",
        ...(autoload ? ["./etc/", "./etc/modules.d/", `./etc/modules.d/${short}`] : []),
        "./lib/",
        "./lib/modules/",
        "./lib/modules/5.10.262/",
        `./lib/modules/5.10.262/${module}.ko`,
      ]);
      const control = tar(["-xzOf", join(dir, "control.tar.gz"), "./control"]);
      const requires = REQUIRES[module]!;
      // Field names (continuation lines of the description start with a space), then the final newline.
      expect(
        control
          .split("\n")
          .filter((l) => !l.startsWith(" "))
          .map((l) => l.split(":")[0]),
      ).toEqual([
        "Package",
        "Version",
        "Depends",
        "Source",
        "SourceName",
        "License",
        "Section",
        "Architecture",
        "Installed-Size",
        "Description",
        "",
      ]);
      expect(control).toContain(
        `Package: ${pkg}\nVersion: ${version}\nDepends: ${[`kernel (=5.10.262-1-${buildroot.vermagic})`, ...requires.map((r) => `${r} (=${version})`)].join(", ")}\nSource: feeds/kbackport/mhi-wwan\nSourceName: ${pkg}\n`,
      );
      expect(control).toContain(
        `Section: kernel\nArchitecture: mipsel_24kc\nInstalled-Size: ${readFileSync(join(dir, "data.tar.gz")).length}\nDescription:  `,
      );
      tar(["-xzf", join(dir, "data.tar.gz"), "-C", dir]);
      if (autoload) expect(readFileSync(join(dir, `etc/modules.d/${short}`), "utf8")).toBe(`${module}\n`);
      const elf = execFileSync("readelf", ["-h", join(dir, `lib/modules/5.10.262/${module}.ko`)]).toString();
      expect(elf).toMatch(/Data:\s+2's complement, little endian/);
      expect(elf).toMatch(/Machine:\s+MIPS R3000/);
    }
  });

  it("gives byte-identical packages and index from two runs into two directories", () => {
    for (const f of [...ipks(first), "Packages", "Packages.gz", "Packages.sig"]) {
      expect(readFileSync(join(second, ARCH_DIR, f)).equals(readFileSync(join(first, ARCH_DIR, f))), f).toBe(
        true,
      );
    }
  });

  it("indexes the packages with their true sizes and sums, and signs the index as usign does", () => {
    const index = readFileSync(join(first, ARCH_DIR, "Packages"), "utf8");
    const stanzas = index.trimEnd().split("\n\n");
    expect(stanzas.map((s) => /^Filename: (.*)$/m.exec(s)![1]).sort()).toEqual(ipks(first));
    for (const s of stanzas) {
      const file = join(first, ARCH_DIR, /^Filename: (.*)$/m.exec(s)![1]!);
      expect(Number(/^Size: (\d+)$/m.exec(s)![1])).toBe(readFileSync(file).length);
      expect(/^SHA256sum: (\w+)$/m.exec(s)![1]).toBe(
        execFileSync("sha256sum", [file]).toString().slice(0, 64),
      );
      expect(s).toMatch(/\nSHA256sum: \w+\nDescription: /);
    }
    expect(execFileSync("gzip", ["-dc", join(first, ARCH_DIR, "Packages.gz")]).toString()).toBe(index);
    const verified = execFileSync("signify-openbsd", [
      "-V",
      "-p",
      key.pub,
      "-x",
      join(first, ARCH_DIR, "Packages.sig"),
      "-m",
      join(first, ARCH_DIR, "Packages"),
    ]).toString();
    expect(verified).toContain("Signature Verified");
  });

  it("validates on the stripped target, and says why aliases are not looked for", async () => {
    const r = await kbackport(["validate", first, "--json"]);
    const result = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    expect(result.checks.filter((c) => c.status === "violation")).toEqual([]);
    expect(r.exitCode).toBe(0);
    const aliases = result.checks.filter((c) => c.check === "aliases" && c.subject === "mhi_net")[0]!;
    expect(aliases).toMatchObject({ status: "ok" });
    expect(aliases.detail).toContain(
      "CONFIG_MODULE_STRIPPED=y (OpenWrt's 204-module_strip): modpost writes no device-table aliases",
    );
    expect(aliases.detail).toContain("its package's etc/modules.d loads it");
    expect(result.checks.find((c) => c.check === "vermagic")).toMatchObject({ status: "skipped" });
  });

  it("writes the kernel patches in OpenWrt's backport form, and they apply in order to a clean tree", () => {
    const dir = join(first, "openwrt/target/linux/generic/backport-5.10");
    const names = readdirSync(dir).sort();
    expect(names).toEqual([
      "690-v5.14-rtnetlink-add-IFLA_PARENT_-DEV-DEV_BUS-_NAME.patch",
      "691-v5.14-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch",
    ]);
    const clean = tempDir("clean-5.10");
    for (const name of names) {
      const text = readFileSync(join(dir, name), "utf8");
      expect(text).not.toMatch(/^(diff --git|index [0-9a-f]+\.\.)/m);
      for (const path of [...text.matchAll(/^--- a\/(\S+)/gm)].map((m) => m[1]!)) {
        if (existsSync(join(clean, path))) continue;
        mkdirSync(dirname(join(clean, path)), { recursive: true });
        cpSync(join(tree, path), join(clean, path));
      }
    }
    for (const name of names)
      execFileSync("patch", ["-p1", "--batch", "--fuzz=0", "-d", clean, "-i", join(dir, name)]);
    expect(readFileSync(join(dir, names[0]!), "utf8").split("\n").slice(0, 6)).toEqual([
      "From 00e77ed8e64d5f271c1f015c7153545980d48a76 Mon Sep 17 00:00:00 2001",
      "From: Johannes Berg <johannes.berg@intel.com>",
      "Date: Sat, 12 Jun 2021 10:20:55 +0200",
      "Subject: [PATCH] rtnetlink: add IFLA_PARENT_[DEV|DEV_BUS]_NAME",
      "",
      "Backport for 5.10: links report their parent device and bus by name, and",
    ]);
  });

  it("writes a package feed with the transformed sources and one KernelPackage per module", () => {
    const feed = join(first, "openwrt/feed/mhi-wwan");
    const makefile = readFileSync(join(feed, "Makefile"), "utf8");
    expect(makefile).toContain("include $(INCLUDE_DIR)/kernel.mk");
    expect(makefile).toContain(
      "define KernelPackage/mhi-net\n  SUBMENU:=Network Devices\n  TITLE:=MHI Network Device\n  DEPENDS:=@LINUX_5_10 +kmod-mhi-bus\n  FILES:=$(PKG_BUILD_DIR)/drivers/net/mhi_net.ko\n  AUTOLOAD:=$(call AutoProbe,mhi_net)\n  KCONFIG:=\nendef",
    );
    expect(makefile).toMatch(/\t\$\(KERNEL_MAKE\) M="\$\(PKG_BUILD_DIR\)" .*CONFIG_MHI_NET=m.* modules\n/);
    expect(makefile.match(/^\$\(eval \$\(call KernelPackage,/gm)).toHaveLength(7);
    expect(existsSync(join(feed, "src/drivers/net/mhi_net.c"))).toBe(true);
    expect(
      readdirSync(join(feed, "src"), { recursive: true })
        .map(String)
        .filter((f) => /\.(o|ko|cmd)$/.test(f)),
    ).toEqual([]);
  });
});

describe("refresh with an OpenWrt target", () => {
  it("builds the buildroot's kernel with its toolchain at both pins and reports the drift", async () => {
    const upstream = inject("upstream");
    const pin61 = Object.entries(upstream.commits).find(([tag]) => tag.startsWith("v6.1."))![1];
    const recipe = recipeAt(upstream.repo, pin61);
    const before = readFileSync(recipe, "utf8");
    const r = await kbackport(
      [
        "refresh",
        recipe,
        "--to",
        `linux-next=${upstream.commit},net-next=${upstream.commit}`,
        "--openwrt",
        buildroot.dir,
        "--out",
        join(tempDir("openwrt-refresh"), "out"),
        "--json",
      ],
      { KBACKPORT_CACHE_DIR: cache },
    );
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as RefreshReport;
    expect(report.targets).toHaveLength(1);
    const t = report.targets[0]!;
    expect([t.openwrt, t.kernel, t.current.built, t.next.built, t.next.violations]).toEqual([
      buildroot.dir,
      buildroot.kernelDir,
      true,
      true,
      [],
    ]);
    expect(t.next.modules).toEqual(X86_MODULES);
    expect(Object.fromEntries(t.rules.map((x) => [x.id, x.state]))["bus-match-const-driver"]).toBe(
      "newly needed",
    );
    expect(readFileSync(recipe, "utf8")).toBe(before);
  });
});

describe("package openwrt for an SDK, a 24.10 tree and a device's kernel version", () => {
  it("reads the kernel hash of an SDK from its include/kernel.mk", async () => {
    const sdk = layOpenWrt(tree, {
      release: "22.03",
      kind: "sdk",
      vermagic: "fedcba9876543210fedcba9876543210",
    });
    const out = tempDir("openwrt-sdk");
    const r = await kbackportJson(["package", "openwrt", first, "--openwrt", sdk.dir, "--out", out]);
    expect(r.exitCode).toBe(0);
    const index = readFileSync(join(out, ARCH_DIR, "Packages"), "utf8");
    expect(index).toContain("Depends: kernel (=5.10.262-1-fedcba9876543210fedcba9876543210)\n");
  });

  it("versions packages the 24.10 way, Installed-Size uncompressed", async () => {
    const newer = layOpenWrt(tree, { release: "24.10", kind: "buildroot" });
    const out = tempDir("openwrt-2410");
    const r = await kbackportJson(["package", "openwrt", first, "--openwrt", newer.dir, "--out", out]);
    expect(r.exitCode).toBe(0);
    const pkgVersion = firstReport.openwrt!.pkgVersion;
    const file = join(out, ARCH_DIR, `kmod-mhi-net_5.10.262.${pkgVersion}-r1_mipsel_24kc.ipk`);
    const control = tar(
      ["-xzOf", "-", "./control"],
      execFileSync("tar", ["-xzOf", file, "./control.tar.gz"]),
    );
    expect(control).toContain(
      `Version: 5.10.262.${pkgVersion}-r1\nDepends: kernel (=5.10.262~${newer.vermagic}-r1), kmod-mhi-bus (=5.10.262.${pkgVersion}-r1)\n`,
    );
    expect(control).toContain("SourceName: mhi-wwan\n");
    const dataSize = execFileSync("gzip", ["-dc"], {
      input: execFileSync("tar", ["-xzOf", file, "./data.tar.gz"]),
    }).length;
    expect(control).toContain(`Installed-Size: ${dataSize}\n`);
  });

  it("packages for the kernel version a device reports, the same bytes as from its buildroot", async () => {
    const out = tempDir("openwrt-kver");
    const r = await kbackport([
      "package",
      "openwrt",
      first,
      "--kernel-package",
      `5.10.262-1-${buildroot.vermagic}`,
      "--arch-packages",
      "mipsel_24kc",
      "--sign-key",
      key.sec,
      "--out",
      out,
    ]);
    expect(r.exitCode).toBe(0);
    for (const f of [...ipks(first), "Packages", "Packages.gz", "Packages.sig"])
      expect(readFileSync(join(out, ARCH_DIR, f)).equals(readFileSync(join(first, ARCH_DIR, f))), f).toBe(
        true,
      );
  });
});

describe("bad OpenWrt directories: a clear error, exit 1, nothing written", () => {
  const refused = async (dir: string, message: string, hint: string) => {
    const out = join(tempDir("openwrt-bad"), "out");
    const r = await kbackport(
      ["run", "recipes/mhi-wwan.yaml", "--openwrt", dir, "--out", out, ...fixtureSources()],
      {
        KBACKPORT_CACHE_DIR: cache,
      },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`error: ${message}`);
    expect(r.stdout).toContain(`hint: ${hint}`);
    expect(readdirSync(dirname(out))).toEqual([]);
  };

  it("a buildroot whose kernel is not built", async () => {
    const layout = layOpenWrt(tree, { release: "22.03", kind: "buildroot" });
    rmSync(join(layout.dir, "build_dir"), { recursive: true });
    await refused(
      layout.dir,
      `the kernel of ${layout.dir} is not built: no build_dir/target-mipsel_24kc_*/linux-ramips_mt7621/linux-<version>`,
      `run make target/linux/compile in ${layout.dir}`,
    );
    const noHash = layOpenWrt(tree, { release: "22.03", kind: "buildroot" });
    rmSync(join(noHash.kernelDir, ".vermagic"));
    await refused(
      noHash.dir,
      `the kernel of ${noHash.dir} is not built: ${join(noHash.kernelDir, ".vermagic")} is missing`,
      `run make target/linux/compile in ${noHash.dir}`,
    );
  });

  it("an SDK without the kernel hash", async () => {
    const sdk = layOpenWrt(tree, { release: "22.03", kind: "sdk" });
    const mk = join(sdk.dir, "include/kernel.mk");
    writeFileSync(mk, readFileSync(mk, "utf8").replace(/,[0-9a-f]{32}\)/, ",unknown)"));
    await refused(
      sdk.dir,
      `${sdk.dir} is an OpenWrt SDK without the kernel hash: ${mk} has no LINUX_VERMAGIC value`,
      "unpack the SDK again from the release's download, or pass --kernel-package with the device's kernel version",
    );
  });

  it("a missing toolchain, a tree that is not OpenWrt, an unknown release", async () => {
    const noTools = layOpenWrt(tree, { release: "22.03", kind: "buildroot" });
    rmSync(join(noTools.dir, "staging_dir"), { recursive: true });
    await refused(
      noTools.dir,
      `${noTools.dir} has no toolchain for mipsel_24kc: no staging_dir/toolchain-mipsel_24kc_gcc-*/bin/*-openwrt-linux-*-gcc`,
      `build it: make toolchain/install in ${noTools.dir}`,
    );
    await refused(
      tree,
      `${tree} is not an OpenWrt buildroot or SDK: rules.mk or include/kernel.mk is missing`,
      "pass --openwrt with the top directory of an OpenWrt source tree or an unpacked OpenWrt SDK",
    );
    const unknown = layOpenWrt(tree, { release: "22.03", kind: "buildroot" });
    const mk = join(unknown.dir, "include/kernel.mk");
    writeFileSync(
      mk,
      readFileSync(mk, "utf8").replace("EXTRA_DEPENDS:=kernel (=", "EXTRA_DEPENDS:=kernel (>="),
    );
    await refused(
      unknown.dir,
      `unknown OpenWrt kernel package scheme at ${mk}:3: EXTRA_DEPENDS:=kernel (>=$(LINUX_VERSION)-$(LINUX_RELEASE)-$(LINUX_VERMAGIC))`,
      "kbackport knows OpenWrt 21.02, 22.03, 23.05, 24.10; add the release to openwrt/releases.yaml",
    );
  });

  it("a kernel package version that is not the run's kernel", async () => {
    const r = await kbackport([
      "package",
      "openwrt",
      first,
      "--kernel-package",
      `5.10.221-1-${buildroot.vermagic}`,
      "--arch-packages",
      "mipsel_24kc",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `error: ${first} was built against Linux 5.10.262, but the OpenWrt kernel is 5.10.221: its modules would not load there`,
    );
  });
});
