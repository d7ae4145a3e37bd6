import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { armTree510, mipselTree510 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { VM_CHECKS, type VmResult } from "../helpers/vm.js";
import { fixtureSources } from "../helpers/upstream.js";

// The router targets' own kernels (trees from Debian's linux-source-5.10, built with the options qemu's
// boards need) boot under qemu with Debian's busybox and iproute2 of their architecture, and load the
// modules a run cross-built against the same tree.
interface Router {
  name: string;
  tree: () => Promise<string>;
  /** The image qemu boots, in the tree. */
  image: string;
}

const ROUTERS: Router[] = [
  { name: "32-bit ARM on qemu's virt", tree: armTree510, image: "arch/arm/boot/zImage" },
  { name: "little-endian MIPS on qemu's malta", tree: mipselTree510, image: "vmlinux" },
];

describe.each(ROUTERS)("VM: $name, the tree's own kernel with the out-of-tree modules", (router) => {
  it("loads every module, registers the MHI drivers, the simulated modems answer AT, and packets cross mhi_net", async () => {
    const tree = await router.tree();
    const out = tempDir("vm-router-run");
    const run = await kbackportJson(
      [
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        tree,
        "--components",
        "mhi,mhi_net,wwan",
        "--out",
        out,
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: tempDir("vm-router-cache") },
    );
    expect(run.report.errors).toEqual([]);
    expect(run.report.modules.map((m) => m.name)).toEqual(X86_MODULES);
    // The kernel checks each module's vermagic against its own: the image built in the tree carries theirs.
    const vermagic = (await execa("modinfo", ["-F", "vermagic", join(out, run.report.modules[0]!.path)]))
      .stdout;
    expect(vermagic).toMatch(/^5\.10\.\d+ .*mod_unload /);
    expect(readFileSync(join(tree, "vmlinux")).includes(`${vermagic.trim()} `)).toBe(true);

    const r = await kbackport([
      "validate",
      out,
      "--vm",
      "--vm-kernel",
      join(tree, router.image),
      "--vm-timeout",
      "300",
      "--json",
    ]);
    const result = JSON.parse(r.stdout) as VmResult;
    expect(result.vm.completed).toBe(true);
    expect(result.vm.modules).toEqual(
      [...X86_MODULES, "mhi_sim"].map((name) => expect.objectContaining({ name, loaded: true })),
    );
    // The guest's iproute2 asks, and the kernel without the rtnetlink patches refuses extra links.
    expect(result.vm.checks.find((c) => c.id === "hwsim-link-add-del")).toMatchObject({
      ok: true,
      expected: "refused",
      outcome: "refused",
      detail: expect.stringContaining("RTNETLINK answers: Invalid argument"),
    });
    expect(result.vm.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.vm.checks.map((c) => [c.id, c.ok])).toEqual(VM_CHECKS.map((id) => [id, true]));
    const detail = Object.fromEntries(result.vm.checks.map((c) => [c.id, c.detail]));
    expect(detail["modem-ping"]).toBe("20 of 20 echo replies");
    expect(detail["modem-counters"]).toBe(
      "tx_packets +20 rx_packets +20 tx_bytes +1680 rx_bytes +1680; modem received +20 packets +1680 bytes, sent +20 packets +1680 bytes",
    );
    expect(detail["modem-flood"]).toBe("2000 of 2000 replies");
    expect(result.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
