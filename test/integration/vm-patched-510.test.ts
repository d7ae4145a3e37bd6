import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { kernelTree510 } from "../helpers/debian.js";
import { MODEM_CHECKS, X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

// In-tree outputs hold a copy of a kernel tree (over a GiB each): not left behind in /tmp.
const bulky: string[] = [];
afterAll(() => {
  for (const dir of bulky) rmSync(dir, { recursive: true, force: true });
});

let tree: string;
beforeAll(async () => {
  // A small 5.10 kernel from Debian's sources, built as it comes: the run patches a copy of it.
  tree = await kernelTree510("linux-5.10-vm", "x86", {
    base: "tinyconfig",
    image: true,
    configFile: "fixtures/vm-kernel.config",
  });
});

describe("VM: a 5.10 kernel built from Debian's sources with the generated rtnetlink patches (--in-tree)", () => {
  it("applies the patches to a copy, rebuilds the kernel, needs no rtnetlink fallback, and ip link add/del of a WWAN link works", async () => {
    const out = tempDir("patched-run");
    bulky.push(out);
    const rtnetlink = readFileSync(join(tree, "net/core/rtnetlink.c"), "utf8");
    const { report } = await kbackportJson(
      ["run", "recipes/mhi-wwan.yaml", "--kernel", tree, "--in-tree", "--out", out, ...fixtureSources()],
      { KBACKPORT_CACHE_DIR: tempDir("patched-cache") },
    );
    expect(report.errors).toEqual([]);
    // The patches the stock 5.10 needs, applied to the copy, which the kernel build then carries.
    expect(report.kernelPatches.map((p) => p.rule)).toEqual(["ifla-parent-dev-name", "rtnl-link-alloc"]);
    expect(report.modules.map((m) => m.name)).toEqual(X86_MODULES);
    expect(report.inTree!.patches.map((p) => [p.name, p.state])).toEqual([
      [
        "patches/kernel/0001-rtnetlink-add-IFLA_PARENT_DEV_NAME-and-IFLA_PARENT_DEV_BUS_NAME.patch",
        "applied",
      ],
      ["patches/kernel/0002-rtnetlink-add-alloc-method-to-rtnl_link_ops.patch", "applied"],
      ["patches/in-tree/0001-kbackport-mhi-wwan.patch", "applied"],
    ]);
    const image = join(out, "kernel/arch/x86/boot/bzImage");
    expect(report.inTree!.rebuild.image).toBe(image);
    expect(readFileSync(join(tree, "net/core/rtnetlink.c"), "utf8")).toBe(rtnetlink);
    const rules = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    expect(rules["ifla-parent-dev-name"]).toMatchObject({
      needed: false,
      evidence: expect.stringMatching(/^include\/uapi\/linux\/if_link\.h:\d+: IFLA_PARENT_DEV_NAME/),
    });
    expect(rules["rtnl-link-alloc"]).toMatchObject({ needed: false, sites: [] });
    expect(report.target!.symvers).toBe(true);
    expect(report.buildWarnings.filter((w) => /undefined/.test(w.message))).toEqual([]);
    expect(report.warnings.filter((w) => /rtnetlink|kernel patch/.test(w))).toEqual([]);

    const r = await kbackport([
      "validate",
      out,
      "--vm",
      "--vm-kernel",
      image,
      "--vm-timeout",
      "300",
      "--json",
    ]);
    const { vm, ok } = JSON.parse(r.stdout) as {
      ok: boolean;
      vm: {
        completed: boolean;
        modules: { name: string; loaded: boolean }[];
        checks: { id: string; ok: boolean; outcome: string; detail?: string }[];
      };
    };
    expect(vm.completed).toBe(true);
    expect(vm.modules).toEqual(
      [...X86_MODULES, "mhi_sim"].map((name) => expect.objectContaining({ name, loaded: true })),
    );
    expect(vm.checks.find((c) => c.id === "hwsim-link-add-del")).toMatchObject({ ok: true, outcome: "ok" });
    // The data path through the software modem, on the kernel that carries the rtnetlink patches.
    expect(vm.checks.filter((c) => c.id.startsWith("modem-")).map((c) => [c.id, c.ok])).toEqual(
      MODEM_CHECKS.map((id) => [id, true]),
    );
    expect(vm.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
