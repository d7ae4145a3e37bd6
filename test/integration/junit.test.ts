import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Check } from "../../src/validate/check.js";
import { kbackport, kbackportJson, ROOT, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { fixtureSources } from "../helpers/upstream.js";

interface ParsedSuite {
  name: string;
  tests: number;
  failures: number;
  skipped: number;
  errors: number;
  cases: {
    classname: string;
    name: string;
    result: string[];
    message: (string | null)[];
    out: string | null;
  }[];
}

/** The file as a real JUnit consumer reads it: Debian's python3-junitparser. */
function readJunit(file: string): ParsedSuite[] {
  const script = `
import json, sys
from junitparser import JUnitXml
out = []
for s in JUnitXml.fromfile(sys.argv[1]):
    out.append({"name": s.name, "tests": s.tests, "failures": s.failures, "skipped": s.skipped,
                "errors": s.errors,
                "cases": [{"classname": c.classname, "name": c.name,
                           "result": [type(r).__name__ for r in c.result],
                           "message": [r.message for r in c.result], "out": c.system_out} for c in s]})
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" }),
  ) as ParsedSuite[];
}

const run = (recipe: string, out: string, junit: string) =>
  kbackportJson(
    [
      "run",
      recipe,
      "--kernel",
      headers510(),
      "--components",
      "mhi,mhi_net",
      "--out",
      out,
      "--junit",
      junit,
      ...fixtureSources(),
    ],
    { KBACKPORT_CACHE_DIR: tempDir("junit-cache") },
  );

describe("JUnit XML for CI systems", () => {
  it("run and validate: a case per stage, module and check, classname the target, counts exact", async () => {
    const out = join(tempDir("junit-run"), "out");
    const file = join(tempDir("junit"), "run.xml");
    const { exitCode, report } = await run(join(ROOT, "recipes/mhi-wwan.yaml"), out, file);
    expect(exitCode).toBe(0);
    const [suite, ...more] = readJunit(file);
    expect(more).toEqual([]);
    const target = `${report.target!.release} (x86)`;
    expect(suite!.name).toBe(`run ${target}`);
    expect(suite!.cases.map((c) => c.name)).toEqual([
      ...report.stages.map((s) => `stage ${s.id}`),
      "module mhi",
      "module mhi_pci_generic",
      "module mhi_net",
    ]);
    expect(new Set(suite!.cases.map((c) => c.classname))).toEqual(new Set([target]));
    expect([suite!.tests, suite!.failures, suite!.errors, suite!.skipped]).toEqual([
      report.stages.length + 3,
      0,
      0,
      0,
    ]);

    const vfile = join(tempDir("junit"), "validate.xml");
    const v = await kbackport(["validate", out, "--junit", vfile, "--json"]);
    const { checks } = JSON.parse(v.stdout) as { checks: Check[] };
    const [vs] = readJunit(vfile);
    expect(vs!.name).toBe(`validate ${target}`);
    expect(vs!.cases.map((c) => c.name)).toEqual(checks.map((c) => `${c.check} ${c.subject}`));
    expect(new Set(vs!.cases.map((c) => c.name)).size).toBe(checks.length);
    expect([vs!.tests, vs!.failures, vs!.skipped]).toEqual([
      checks.length,
      checks.filter((c) => c.status === "violation").length,
      checks.filter((c) => c.status === "skipped").length,
    ]);
  });

  it("a failed build: the build stage fails with the error and its hint, and the build log's tail", async () => {
    const recipe = join(tempDir("junit-recipe"), "mhi-wwan.yaml");
    writeFileSync(
      recipe,
      readFileSync(join(ROOT, "recipes/mhi-wwan.yaml"), "utf8").replace(
        /^ {6}- get-random-u32-inclusive\n/m,
        "",
      ),
    );
    const file = join(tempDir("junit"), "failed.xml");
    const { exitCode, report } = await run(recipe, join(tempDir("junit-run"), "out"), file);
    expect(exitCode).toBe(1);
    const [suite] = readJunit(file);
    const failed = suite!.cases.filter((c) => c.result.includes("Failure"));
    expect(failed.map((c) => [c.name, c.message[0]])).toEqual([["stage build", report.errors[0]!.message]]);
    expect(failed[0]!.out).toContain("get_random_u32_inclusive");
    expect([suite!.tests, suite!.failures]).toEqual([report.stages.length, 1]);
  });
});
