import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dataPathChecks, guestHelpers, unloadCheck } from "../../src/validate/data-path.js";
import { initScript, MARK } from "../../src/validate/initramfs.js";

/** Runs guest shell lines in the host's busybox sh, as the guest's /init would, and returns what they print. */
function sh(lines: string[]): string {
  const r = spawnSync("busybox", ["sh", "-c", lines.join("\n")], { encoding: "utf8" });
  return r.stdout + r.stderr;
}

const check = (id: string) => dataPathChecks().find((c) => c.id === id)!;

describe("the data-path checks the guest runs", () => {
  it("form a script busybox sh parses", () => {
    const script = initScript(
      [
        { name: "mhi", path: "/x/mhi.ko" },
        { name: "mhi_sim", path: "/x/mhi_sim.ko", params: "drop_every=10" },
      ],
      [],
      [...dataPathChecks(), unloadCheck(["mhi", "mhi_sim"])],
    );
    expect(script).toContain("insmod /modules/mhi_sim.ko drop_every=10 2>/tmp/err");
    const r = spawnSync("busybox", ["sh", "-n", "-c", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("read busybox ping's summary", () => {
    const out = sh([
      ...guestHelpers(MARK.check),
      "printf '%s\\n' '--- 192.0.2.2 ping statistics ---' '2000 packets transmitted, 1800 packets received, 10% packet loss' > /tmp/kbackport-ping-test",
      "received /tmp/kbackport-ping-test",
    ]);
    expect(out.trim()).toBe("1800");
  });

  it("compare the counters' deltas with what crossed the modem, and name each on failure", () => {
    const run = (after: string) =>
      sh([
        ...guestHelpers(MARK.check),
        'fail() { say "$1" fail "$2"; }',
        "before='100 200 1000 2000 5 6 500 600'",
        `after='${after}'`,
        ...check("modem-counters").script,
      ]).trim();
    expect(run("120 220 2680 3680 25 26 2180 2280")).toBe(
      `${MARK.check} modem-counters ok tx_packets +20 rx_packets +20 tx_bytes +1680 rx_bytes +1680; modem received +20 packets +1680 bytes, sent +20 packets +1680 bytes`,
    );
    // A counter that missed its increments: rx stands still while the modem sent 20 replies.
    expect(run("120 200 2680 2000 25 26 2180 2280")).toBe(
      `${MARK.check} modem-counters fail expected +20 packets and +1680 bytes each way: tx_packets +20 rx_packets +0 tx_bytes +1680 rx_bytes +0; modem received +20 packets +1680 bytes, sent +20 packets +1680 bytes`,
    );
  });

  it("unload in reverse load order and name what stayed", () => {
    const unload = unloadCheck(["mhi", "mhi_net", "mhi_sim"]);
    expect(unload.script[0]).toContain("for m in mhi_sim mhi_net mhi;");
    const out = sh([
      ...guestHelpers(MARK.check),
      'fail() { say "$1" fail "$2"; }',
      "rmmod() { [ \"$1\" != mhi_net ] || { echo 'in use' >&2; return 1; }; }",
      ...unload.script,
    ]);
    expect(out.trim()).toBe(`${MARK.check} modules-unload fail not unloaded: mhi_net(in use)`);
  });
});
