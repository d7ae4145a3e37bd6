import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  citation,
  KERNEL_APIS,
  kernelApi,
  marksOf,
  type KernelApi,
  type MirroredCommit,
} from "../../../src/kernel/api.js";
import { RULES } from "../../../src/transform/rules/index.js";

const UPSTREAM = /^[0-9a-f]{12} \("[^"]+"\)$/;
/** Entries whose commit no published record gives an id for: cited by subject. */
const NO_ID = ["modpost_mhi"];

describe("the rule registry", () => {
  it.each(RULES.map((r) => [r.id, r] as const))(
    "%s stands in for a probed feature and names its upstream commit",
    (_id, rule) => {
      const api: KernelApi = kernelApi(rule.feature);
      if (!NO_ID.includes(api.id)) expect(citation(api.upstream)).toMatch(UPSTREAM);
      // A rule either edits the sources or finds the uses its compat definition or patch serves.
      if (!rule.rewrite) expect(api.uses?.length).toBeGreaterThan(0);
      // Files that contain none of these are never read for the rule.
      expect(marksOf(api).length).toBeGreaterThan(0);
      if (rule.kind === "compat") expect(rule.compat).toBeDefined();
      if (rule.kind === "kernel-patch") {
        expect(rule.patch?.file).toMatch(/^\d{4}-[\w-]+\.patch$/);
        // The patch is headed by the API's commit: the entry gives what format-patch writes, the full id
        // where it is known, and well-formed trailers whose Signed-off-by chain has the author's.
        expect(api.upstream).toMatchObject({ author: expect.any(String), date: expect.any(String) });
        if (!NO_ID.includes(api.id)) expect(api.upstream.id).toMatch(/^[0-9a-f]{40}$/);
        const { author, trailers } = api.upstream as MirroredCommit;
        expect(trailers).toContain(`Signed-off-by: ${author}`);
        for (const t of trailers)
          expect(t).toMatch(
            /-by: /.test(t) ? /^[A-Z][\w-]*-by: [^<>]+ <[^<>@\s]+@[^<>@\s]+>$/ : /^[A-Z][\w-]*: \S/,
          );
      }
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
    for (const api of KERNEL_APIS.filter((a) => !NO_ID.includes(a.id)))
      expect(citation(api.upstream), api.id).toMatch(UPSTREAM);
    expect(citation(kernelApi("modpost_mhi").upstream)).toBe(
      '"bus: mhi: core: Add uevent support for module autoloading"',
    );
  });
});
