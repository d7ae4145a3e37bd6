import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { interruptExitCode, interruptMessage } from "../../src/interrupt/signals.js";
import { OUTPUT_MARKER } from "../../src/output/owned-dir.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { descendantsOf, stillRunning, waitFor } from "../helpers/processes.js";

const COMMAND = join(ROOT, "test/fixtures/interrupted-command.ts");

/** Starts the command beside a previous output, waits until everything is under way, sends the signals. */
async function interrupt(signals: NodeJS.Signals[], stubborn = false) {
  const root = tempDir("interrupt");
  const out = join(root, "out");
  mkdirSync(out);
  writeFileSync(join(out, OUTPUT_MARKER), "{}\n");
  writeFileSync(join(out, "report.json"), "previous\n");
  const tmpEntry = join(root, "entry.tmp-1");
  const child = execa(
    process.execPath,
    ["--import", "tsx", COMMAND, out, tmpEntry, ...(stubborn ? ["stubborn"] : [])],
    { cwd: ROOT, reject: false },
  );
  const staged = () => readdirSync(root).filter((n) => n.startsWith(".out.tmp-"));
  await waitFor(() => staged().some((n) => existsSync(join(root, n, "ready"))), "the command to start");
  const children = descendantsOf(child.pid!);
  const [first, ...later] = signals;
  child.kill(first);
  if (later.length > 0) {
    // Signals pending together are handled in no set order: the later ones go once the first one's
    // cleanup is under way (it ends the plain child at once; the stubborn group takes its time).
    await waitFor(() => stillRunning(children).length < children.length, "the cleanup to start");
    for (const s of later) child.kill(s);
  }
  const result = await child;
  return { result, root, out, children };
}

// Each test starts a node process with tsx and the stubborn one waits out the SIGTERM grace period.
describe("interrupts", { timeout: 30_000 }, () => {
  it("end the children, remove the staged output and temporary entries, keep the previous output", async () => {
    const { result, root, out, children } = await interrupt(["SIGINT"]);
    // The plain child, the group's shell and its two sleeps.
    expect(children.length).toBeGreaterThanOrEqual(4);
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toBe(
      `interrupted by SIGINT during build (make modules): previous output ${out} kept`,
    );
    expect(readdirSync(root)).toEqual(["out"]);
    expect(readFileSync(join(out, "report.json"), "utf8")).toBe("previous\n");
    expect(stillRunning(children)).toEqual([]);
  });

  it("exit 143 on SIGTERM", async () => {
    const { result, root, out } = await interrupt(["SIGTERM"]);
    expect(result.exitCode).toBe(143);
    expect(result.stderr).toBe(
      `interrupted by SIGTERM during build (make modules): previous output ${out} kept`,
    );
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("finish the cleanup when a second signal comes during it, ending what ignores SIGTERM", async () => {
    const { result, root, out, children } = await interrupt(["SIGINT", "SIGTERM", "SIGINT"], true);
    expect(children.length).toBeGreaterThanOrEqual(4);
    expect(result.exitCode).toBe(130);
    expect(result.stderr.split("\n")).toEqual([
      `interrupted by SIGINT during build (make modules): previous output ${out} kept`,
    ]);
    expect(readdirSync(root)).toEqual(["out"]);
    expect(stillRunning(children)).toEqual([]);
  });

  it("exit as shells report a signal and say what was running", () => {
    expect(interruptExitCode("SIGINT")).toBe(130);
    expect(interruptExitCode("SIGTERM")).toBe(143);
    expect(interruptMessage("SIGINT", ["fetch", "source mhi at 0123456789ab"], [])).toBe(
      "interrupted by SIGINT during fetch (source mhi at 0123456789ab)",
    );
    expect(interruptMessage("SIGTERM", [], ["nothing written to /o"])).toBe(
      "interrupted by SIGTERM: nothing written to /o",
    );
  });
});
