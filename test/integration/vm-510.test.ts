import { describe, expect, it } from "vitest";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510, headers61, stockKernel510 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

interface VmResult {
  ok: boolean;
  vm: {
    completed: boolean;
    modules: { name: string; loaded: boolean; error?: string }[];
    checks: { id: string; ok: boolean; outcome: string; expected: string; detail?: string }[];
  };
}

const validate = async (out: string) => {
  const kernel = stockKernel510();
  const r = await kbackport([
    "validate",
    out,
    "--vm",
    "--vm-kernel",
    kernel.vmlinuz,
    "--vm-modules",
    kernel.modules,
    "--vm-timeout",
    "300",
    "--json",
  ]);
  return { exitCode: r.exitCode, result: JSON.parse(r.stdout) as VmResult };
};

describe("VM: Debian bullseye's stock 5.10 kernel with the out-of-tree modules", () => {
  it("loads every module, registers the MHI drivers, and the simulated modem answers AT with OK", async () => {
    const out = tempDir("vm-run");
    const run = await kbackportJson(
      [
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        headers510(),
        "--components",
        "mhi,mhi_net,wwan",
        "--out",
        out,
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: tempDir("vm-cache") },
    );
    expect(run.report.errors).toEqual([]);
    expect(run.report.target!.release).toBe(stockKernel510().release);

    const { exitCode, result } = await validate(out);
    expect(result.vm.completed).toBe(true);
    expect(result.vm.modules).toEqual(
      X86_MODULES.map((name) => expect.objectContaining({ name, loaded: true })),
    );
    // Without the rtnetlink patches the kernel refuses extra links, as the report said it would.
    expect(result.vm.checks.find((c) => c.id === "hwsim-link-add-del")).toMatchObject({
      ok: true,
      expected: "refused",
      outcome: "refused",
      detail: expect.stringContaining("Invalid argument"),
    });
    expect(Object.fromEntries(result.vm.checks.map((c) => [c.id, c.ok]))).toEqual({
      "mhi-bus": true,
      "mhi-pci-generic-driver": true,
      "mhi_net-driver": true,
      "wwan-class": true,
      "wwan_hwsim-class": true,
      "hwsim-wwan-device": true,
      "hwsim-at-port": true,
      "hwsim-link-add-del": true,
      // On a kernel without the rtnetlink patches the WWAN core still creates the default link.
      "hwsim-default-link": true,
      "mhi_wwan_ctrl-driver": true,
      "mhi_wwan_mbim-driver": true,
    });
    expect(result.ok).toBe(true);
    expect(exitCode).toBe(0);
  });

  it("fails when the modules were built for another kernel", async () => {
    const out = tempDir("vm-wrong");
    const run = await kbackportJson(
      [
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        headers61(),
        "--components",
        "mhi",
        "--out",
        out,
        ...fixtureSources(),
      ],
      { KBACKPORT_CACHE_DIR: tempDir("vm-cache-61") },
    );
    expect(run.report.errors).toEqual([]);
    const { exitCode, result } = await validate(out);
    expect(exitCode).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.vm.modules[0]).toMatchObject({
      name: "mhi",
      loaded: false,
      error: expect.stringContaining("invalid module format"),
    });
    expect(result.vm.checks.find((c) => c.id === "mhi-bus")).toMatchObject({
      ok: false,
      detail: "/sys/bus/mhi missing",
    });
  });
});
