import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_APIS, kernelApi, marksOf, type KernelApi } from "../../../src/kernel/api.js";
import { RULES } from "../../../src/transform/rules/index.js";

const UPSTREAM = /^[0-9a-f]{12} \("[^"]+"\)$/;

describe("the rule registry", () => {
  it.each(RULES.map((r) => [r.id, r] as const))(
    "%s stands in for a probed feature and names its upstream commit",
    (_id, rule) => {
      const api: KernelApi = kernelApi(rule.feature);
      expect(api.upstream).toMatch(UPSTREAM);
      // A rule either edits the sources or finds the uses its compat definition or patch serves.
      if (!rule.rewrite) expect(api.uses?.length).toBeGreaterThan(0);
      // Files that contain none of these are never read for the rule.
      expect(marksOf(api).length).toBeGreaterThan(0);
      if (rule.kind === "compat") expect(rule.compat).toBeDefined();
      if (rule.kind === "kernel-patch") expect(rule.patch?.file).toMatch(/^\d{4}-[\w-]+\.patch$/);
      // A patch that mirrors the API's own commit cites it as the API entry does.
      const mirrors = rule.patch?.mirrors;
      if (mirrors?.commit?.startsWith(api.upstream.slice(0, 12)))
        expect(api.upstream).toBe(`${mirrors.commit.slice(0, 12)} ("${mirrors.subject}")`);
    },
  );

  it("registers every rule file, once", () => {
    const files = readdirSync(join(import.meta.dirname, "../../../src/transform/rules")).filter(
      (f) => f.endsWith(".ts") && !["index.ts", "bus-callback-const.ts", "writable-object.ts"].includes(f),
    );
    expect(RULES.map((r) => `${r.id}.ts`).sort()).toEqual(files.sort());
  });

  it("ships the patch of every kernel-patch rule for the 5.4 and 5.10 series", () => {
    for (const series of ["5.4", "5.10"]) {
      const shipped = readdirSync(join(import.meta.dirname, "../../../patches", series));
      const needed = RULES.filter((r) => r.patch && (series === "5.4" || r.feature !== "modpost_mhi")).map(
        (r) => r.patch!.file,
      );
      expect(shipped.sort()).toEqual(needed.sort());
    }
  });

  it("gives every knowledge-base entry a unique id and a mainline commit", () => {
    expect(new Set(KERNEL_APIS.map((a) => a.id)).size).toBe(KERNEL_APIS.length);
    for (const api of KERNEL_APIS) expect(api.upstream).toMatch(UPSTREAM);
  });
});
