import { beforeAll, describe, expect, it } from "vitest";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510, headers61, stockKernel510 } from "../helpers/debian.js";
import { X86_MODULES } from "../helpers/modules.js";
import { VM_CHECKS, type VmResult } from "../helpers/vm.js";
import { fixtureSources } from "../helpers/upstream.js";

const validate = async (out: string, extra: string[] = []) => {
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
    ...extra,
    "--json",
  ]);
  return { exitCode: r.exitCode, result: JSON.parse(r.stdout) as VmResult };
};

describe("VM: Debian bullseye's stock 5.10 kernel with the out-of-tree modules", () => {
  const out = tempDir("vm-run");
  let run: Awaited<ReturnType<typeof kbackportJson>>;
  beforeAll(async () => {
    run = await kbackportJson(
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
  });

  it("loads every module, registers the MHI drivers, the simulated modems answer AT, and packets cross mhi_net", async () => {
    expect(run.report.errors).toEqual([]);
    expect(run.report.target!.release).toBe(stockKernel510().release);

    const { exitCode, result } = await validate(out);
    expect(result.vm.completed).toBe(true);
    expect(result.vm.modules).toEqual(
      [...X86_MODULES, "mhi_sim"].map((name) => expect.objectContaining({ name, loaded: true })),
    );
    // Without the rtnetlink patches the kernel refuses extra links, as the report said it would.
    expect(result.vm.checks.find((c) => c.id === "hwsim-link-add-del")).toMatchObject({
      ok: true,
      expected: "refused",
      outcome: "refused",
      detail: expect.stringContaining("Invalid argument"),
    });
    expect(result.vm.checks.map((c) => [c.id, c.ok])).toEqual(VM_CHECKS.map((id) => [id, true]));
    const detail = Object.fromEntries(result.vm.checks.map((c) => [c.id, c.detail]));
    expect(detail["modem-mission-mode"]).toBe("M0 mission-mode");
    expect(detail["modem-ping"]).toBe("20 of 20 echo replies");
    // 20 echoes of 84 bytes (56 of payload, ICMP and IPv4 headers) each way, as mhi_net and the modem count them.
    expect(detail["modem-counters"]).toBe(
      "tx_packets +20 rx_packets +20 tx_bytes +1680 rx_bytes +1680; modem received +20 packets +1680 bytes, sent +20 packets +1680 bytes",
    );
    expect(detail["modem-at"]).toMatch(/^\/dev\/wwan\d+at0 replied OK$/);
    expect(detail["modem-mbim"]).toMatch(/^\/dev\/wwan\d+mbim0: OPEN_DONE, status 0$/);
    expect(detail["modem-flood"]).toBe("2000 of 2000 replies");
    expect(detail["modem-rebind"]).toBe("3 cycles, echo after them");
    expect(detail["modules-unload"]).toBe(
      "mhi_sim, mhi_wwan_mbim, mhi_wwan_ctrl, wwan_hwsim, wwan, mhi_net, mhi_pci_generic, mhi",
    );
    expect(result.ok).toBe(true);
    expect(exitCode).toBe(0);
  });

  it("fails the data path, naming the check, when the modem loses every tenth packet", async () => {
    const { exitCode, result } = await validate(out, ["--vm-modem-param", "drop_every=10"]);
    expect(exitCode).toBe(1);
    expect(result.ok).toBe(false);
    const failed = result.vm.checks.filter((c) => !c.ok);
    expect(failed.map((c) => [c.id, c.outcome])).toEqual([
      ["modem-ping", "fail"],
      ["modem-counters", "fail"],
      ["modem-flood", "fail"],
    ]);
    // Every tenth packet is lost for sure; under emulation a reply may also come after ping stopped waiting.
    const replies = (detail: string | undefined, pattern: RegExp) => Number(pattern.exec(detail ?? "")?.[1]);
    expect(replies(failed[0]!.detail, /^(\d+) of 20 echo replies from 192\.0\.2\.2$/)).toBeLessThanOrEqual(
      18,
    );
    expect(failed[1]!.detail).toMatch(
      /^expected \+20 packets and \+1680 bytes each way: tx_packets \+20 rx_packets \+1[0-8] tx_bytes \+1680 rx_bytes \+\d+; modem received \+20 packets \+1680 bytes, sent \+18 packets \+1512 bytes$/,
    );
    expect(replies(failed[2]!.detail, /^(\d+) of 2000 replies$/)).toBeLessThanOrEqual(1800);
    // The console before the failure: ping's own summary.
    expect(failed[0]!.console).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^20 packets transmitted, 1[0-8] packets received, \d+% packet loss$/),
      ]),
    );
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
