import { describe, expect, it } from "vitest";
import { descendants, stillRunning, type ProcessEntry } from "../../src/interrupt/processes.js";
import { during, endGroupOnInterrupt, onInterrupt, pending } from "../../src/interrupt/registry.js";

describe("the interrupt registry", () => {
  it("holds cleanups newest first, groups and the nested activity while they last", async () => {
    const first = onInterrupt(() => "first");
    const second = onInterrupt(() => "second");
    const group = endGroupOnInterrupt(4242);
    const seen = await during("build", () => during("make modules for 5.10", async () => pending()));
    expect(seen.cleanups.map((c) => c())).toEqual(["second", "first"]);
    expect(seen.groups).toEqual([4242]);
    expect(seen.activity).toEqual(["build", "make modules for 5.10"]);
    first();
    second();
    group();
    expect(pending()).toEqual({ groups: [], cleanups: [], activity: [] });
  });

  it("forgets an activity whose work failed", async () => {
    await expect(during("fetch", () => Promise.reject(new Error("offline")))).rejects.toThrow("offline");
    expect(pending().activity).toEqual([]);
  });
});

describe("the processes an interrupt ends", () => {
  const p = (pid: number, ppid: number, pgid: number, state = "S"): ProcessEntry => ({
    pid,
    ppid,
    pgid,
    state,
  });
  // 10 is kbackport; 11 make (its own group), 12 its compiler, 13 an exited shell; 20 a git, 21 its helper.
  const table = [
    p(1, 0, 1),
    p(10, 1, 10),
    p(11, 10, 11),
    p(12, 11, 11),
    p(13, 11, 11, "Z"),
    p(20, 10, 10),
    p(21, 20, 10),
    p(30, 1, 30),
  ];

  it("are the running descendants", () => {
    expect(descendants(table, 10).sort()).toEqual([11, 12, 20, 21]);
  });

  it("include a group's members whose parent is gone, not what has exited", () => {
    const orphaned = [p(12, 1, 11), p(13, 1, 11, "Z"), p(30, 1, 30)];
    expect(stillRunning(orphaned, new Set([20]), new Set([11]))).toEqual([12]);
  });
});
