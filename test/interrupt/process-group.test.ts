import { describe, expect, it } from "vitest";
import { runGroup } from "../../src/interrupt/process-group.js";

describe("a command run as a process group of its own", () => {
  it("gives its exit code and its output, stdout and stderr in the order they came", async () => {
    const run = await runGroup(
      "sh",
      ["-c", 'echo one; echo two >&2; sleep 0.1; echo three; echo "$WHO"; exit 3'],
      {
        env: { WHO: "four" },
      },
    );
    expect(run).toEqual({ exitCode: 3, all: "one\ntwo\nthree\nfour\n" });
  });

  it("leads its own group, and reads no input", async () => {
    const run = await runGroup("sh", ["-c", 'ps -o pgid= -p $$; ps -o pid= -p $$; cat; echo "[$?]"']);
    const [pgid, pid, end] = run.all.trim().split(/\s+/);
    expect(pgid).toBe(pid);
    expect(end).toBe("[0]");
    expect(run.exitCode).toBe(0);
  });

  it("says why a command could not start", async () => {
    const run = await runGroup("no-such-command-kbackport", ["x"]);
    expect(run.exitCode).toBeUndefined();
    expect(run.all).toContain("no-such-command-kbackport: spawn no-such-command-kbackport ENOENT");
  });
});
