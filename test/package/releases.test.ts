import { describe, expect, it } from "vitest";
import { kernelApi } from "../../src/kernel/api.js";
import { backportName, backportPatch } from "../../src/package/openwrt/backport-patches.js";
import { kernelPatch } from "../../src/transform/kernel-patch.js";
import { rtnlLinkAlloc } from "../../src/transform/rules/rtnl-link-alloc.js";
import {
  familyOfKernelMk,
  kernelPackageVersion,
  kmodVersion,
  parseKernelPackageVersion,
} from "../../src/package/openwrt/releases.js";

const HASH = "0123456789abcdef0123456789abcdef";
const kernelMk = (version: string, depends: string) =>
  `define KernelPackage\n  NAME:=$(1)\n    EXTRA_DEPENDS:=${depends}\n    VERSION:=${version}\nendef\n`;

describe("OpenWrt release families", () => {
  it("are told apart by their include/kernel.mk lines, and version kmods and the kernel as each does", () => {
    const old = familyOfKernelMk(
      kernelMk(
        "$(LINUX_VERSION)$(if $(PKG_VERSION),+$(PKG_VERSION))-$(if $(PKG_RELEASE),$(PKG_RELEASE),$(LINUX_RELEASE))",
        "kernel (=$(LINUX_VERSION)-$(LINUX_RELEASE)-$(LINUX_VERMAGIC))",
      ),
      "include/kernel.mk",
    );
    expect(old.releases).toEqual(["21.02", "22.03", "23.05"]);
    const k = {
      family: old,
      linuxVersion: "5.10.221",
      linuxRelease: "1",
      vermagic: HASH,
      archPackages: "mipsel_24kc",
    };
    expect(kernelPackageVersion(k)).toBe(`5.10.221-1-${HASH}`);
    expect(kmodVersion(k, "20241117.adc2186", "1")).toBe("5.10.221+20241117.adc2186-1");
    const newer = familyOfKernelMk(
      kernelMk(
        "$(LINUX_VERSION)$(if $(PKG_VERSION),.$(PKG_VERSION))-r$(if $(PKG_RELEASE),$(PKG_RELEASE),$(LINUX_RELEASE))",
        "kernel (=$(LINUX_VERSION)~$(LINUX_VERMAGIC)-r$(LINUX_RELEASE))",
      ),
      "include/kernel.mk",
    );
    const k24 = { ...k, family: newer, linuxVersion: "6.6.119" };
    expect(kernelPackageVersion(k24)).toBe(`6.6.119~${HASH}-r1`);
    expect(kmodVersion(k24, "20241117.adc2186", "1")).toBe("6.6.119.20241117.adc2186-r1");
  });

  it("refuse a kernel.mk they do not know, naming its line", () => {
    expect(() =>
      familyOfKernelMk(kernelMk("$(LINUX_VERSION)", "kernel (=$(LINUX_VERSION))"), "/o/include/kernel.mk"),
    ).toThrow(
      expect.objectContaining({
        message:
          "unknown OpenWrt kernel package scheme at /o/include/kernel.mk:3: EXTRA_DEPENDS:=kernel (=$(LINUX_VERSION))",
        hint: "kbackport knows OpenWrt 21.02, 22.03, 23.05, 24.10; add the release to openwrt/releases.yaml",
      }),
    );
  });

  it("read the version opkg list-installed prints for the kernel", () => {
    expect(parseKernelPackageVersion(`5.4.238-1-${HASH}`)).toMatchObject({
      family: { id: "openwrt-21.02-23.05" },
      linuxVersion: "5.4.238",
      linuxRelease: "1",
      vermagic: HASH,
    });
    expect(parseKernelPackageVersion(`6.6.119~${HASH}-r1`)).toMatchObject({
      family: { id: "openwrt-24.10" },
      linuxVersion: "6.6.119",
    });
    expect(() => parseKernelPackageVersion("5.10.221-1")).toThrow(
      "--kernel-package 5.10.221-1: not the version of an OpenWrt kernel package",
    );
  });
});

describe("kernel patches in OpenWrt's backport form", () => {
  const api = kernelApi(rtnlLinkAlloc.feature);
  const hunks = "--- a/include/net/rtnetlink.h\n+++ b/include/net/rtnetlink.h\n@@ -1 +1,2 @@\n a\n+b\n";
  const patch = {
    file: "0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch",
    text: kernelPatch(api, `Backport for 5.10: why.\n---\n${hunks}`, "0002.patch"),
    api,
    number: 691,
  };

  it("are named NNN-vX.Y-<subject>, and are the run's patches, headed by the upstream commit", () => {
    expect(backportName(patch)).toBe("691-v5.14-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch");
    expect(backportPatch(patch)).toBe(
      [
        "From 8c713dc93ca9a423d6af8849c9254742a1070c37 Mon Sep 17 00:00:00 2001",
        "From: Johannes Berg <johannes.berg@intel.com>",
        "Date: Sat, 12 Jun 2021 10:20:54 +0200",
        "Subject: [PATCH] rtnetlink: add alloc() method to rtnl_link_ops",
        "",
        "Backport for 5.10: why.",
        "",
        "Signed-off-by: Johannes Berg <johannes.berg@intel.com>",
        "Signed-off-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>",
        "Signed-off-by: David S. Miller <davem@davemloft.net>",
        "---",
        "--- a/include/net/rtnetlink.h",
        "+++ b/include/net/rtnetlink.h",
        "@@ -1 +1,2 @@",
        " a",
        "+b",
        "",
      ].join("\n"),
    );
  });

  it("refuse a run's patch headed otherwise, as another kbackport wrote them", () => {
    const text = `From: kbackport <kbackport@localhost>\nSubject: [PATCH] rtnetlink: add alloc()\n\nwhy\n---\n${hunks}`;
    expect(() => backportPatch({ ...patch, text })).toThrow(
      "kernel patch 0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch is not headed by its upstream commit",
    );
  });
});
