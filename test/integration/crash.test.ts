import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/report.js";
import { kbackportJson, startKbackport, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { waitFor } from "../helpers/processes.js";
import { fixtureSources } from "../helpers/upstream.js";

let cache: string;
beforeAll(() => {
  cache = tempDir("crash-cache");
});

const prepare = (out: string, components: string) => [
  "prepare",
  "recipes/mhi-wwan.yaml",
  "--kernel",
  headers510(),
  "--components",
  components,
  "--out",
  out,
  ...fixtureSources(),
];

/** What lies beside an output: kbackport's staging and swap directories. */
const debris = (out: string) => readdirSync(dirname(out)).filter((n) => n.startsWith(`.${basename(out)}.`));

/** A first output, then a second run (other components) killed with SIGKILL at a step of the output swap. */
async function killedAt(step: "staged" | "aside" | "swapped") {
  const out = join(tempDir(`crash-${step}`), "out");
  const first = await kbackportJson(prepare(out, "mhi"), { KBACKPORT_CACHE_DIR: cache });
  expect(first.exitCode).toBe(0);
  const child = startKbackport(prepare(out, "mhi,mhi_net"), {
    KBACKPORT_CACHE_DIR: cache,
    KBACKPORT_PAUSE_AT: step,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => stderr.includes(`paused at ${step}`), `the run to pause at ${step}`, 120_000);
  child.kill("SIGKILL");
  await child;
  return out;
}

/** The next run into the same output, and what it said it put right. */
async function nextRun(out: string) {
  const r = await kbackportJson(prepare(out, "mhi,mhi_net"), { KBACKPORT_CACHE_DIR: cache });
  expect(r.exitCode).toBe(0);
  expect(debris(out)).toEqual([]);
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunReport;
  expect(report.components).toEqual(["mhi", "mhi_net"]);
  return r.report.warnings.filter((w) => w.includes("killed"));
}

describe("a run killed with SIGKILL during the output swap, and the next run", () => {
  it("killed before the swap: the previous output stays; the next run removes the half-written one", async () => {
    const out = await killedAt("staged");
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunReport;
    expect(report.components).toEqual(["mhi"]);
    expect(debris(out)).toEqual([expect.stringMatching(/^\.out\.tmp-\d+-/)]);
    const [line, ...more] = await nextRun(out);
    expect(line).toMatch(
      new RegExp(`^removed ${dirname(out)}/\\.out\\.tmp-\\d+-\\w+, the half-written output of a killed run$`),
    );
    expect(more).toEqual([]);
  });

  it("killed between the two renames: the output is gone, and the next run puts the previous one back first", async () => {
    const out = await killedAt("aside");
    expect(existsSync(out)).toBe(false);
    expect(debris(out).sort()).toEqual([
      expect.stringMatching(/^\.out\.old-\d+-/),
      expect.stringMatching(/^\.out\.tmp-\d+-/),
    ]);
    const lines = await nextRun(out);
    expect(lines).toEqual(
      expect.arrayContaining([
        `a run killed while replacing ${out} had moved the previous output aside: put back`,
        expect.stringMatching(/the half-written output of a killed run$/),
      ]),
    );
    expect(lines).toHaveLength(2);
  });

  it("killed after the swap: the new output is in place; the next run removes the old copy", async () => {
    const out = await killedAt("swapped");
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunReport;
    expect(report.components).toEqual(["mhi", "mhi_net"]);
    expect(debris(out)).toEqual([expect.stringMatching(/^\.out\.old-\d+-/)]);
    const lines = await nextRun(out);
    expect(lines).toEqual([
      expect.stringMatching(
        /^removed .*\/\.out\.old-\d+-\w+, the previous output a killed run had replaced$/,
      ),
    ]);
  });

  it("a damaged report.json of an earlier output is replaced, not a wall", async () => {
    const out = join(tempDir("crash-damaged"), "out");
    expect((await kbackportJson(prepare(out, "mhi"), { KBACKPORT_CACHE_DIR: cache })).exitCode).toBe(0);
    writeFileSync(join(out, "report.json"), readFileSync(join(out, "report.json"), "utf8").slice(0, 300));
    const r = await kbackportJson(prepare(out, "mhi"), { KBACKPORT_CACHE_DIR: cache });
    expect(r.exitCode).toBe(0);
    expect(r.report.cached).toBe(false);
    expect(r.report.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^the previous output's ${join(out, "report.json")} is damaged \\(.*\\): replaced$`),
        ),
      ]),
    );
    expect(() => JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as unknown).not.toThrow();
  });
});
