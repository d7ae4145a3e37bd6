import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kbackport, startKbackport, tempDir } from "../helpers/cli.js";
import { headers510 } from "../helpers/debian.js";
import { runningProcesses, stillRunning, waitFor } from "../helpers/processes.js";
import { fixtureSources } from "../helpers/upstream.js";

const RECIPE = "recipes/mhi-wwan.yaml";
let cache: string;
let out: string;
let previous: Map<string, string>;

/** Every file under a directory with its content's digest, mode and mtime: what "left intact" means. */
function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(
    files.map((e) => {
      const path = join(e.parentPath, e.name);
      const st = statSync(path);
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      return [path, `${sha} ${st.mode.toString(8)} ${st.mtimeMs}`];
    }),
  );
}

const run = (components: string) => [
  "run",
  RECIPE,
  "--kernel",
  headers510(),
  "--components",
  components,
  "--out",
  out,
  ...fixtureSources(),
];

beforeAll(async () => {
  cache = tempDir("interrupt-cache");
  out = join(tempDir("interrupt-out"), "out");
  const first = await kbackport(run("mhi"), { KBACKPORT_CACHE_DIR: cache });
  expect(first.exitCode).toBe(0);
  previous = snapshot(out);
});

describe("an interrupted kbackport run", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} during the build ends make and its compilers, drops the staged output, keeps the previous one and exits ${code}`, async () => {
      // Other components than the previous run's, so that it builds rather than reuses.
      const child = startKbackport(run("mhi,mhi_net"), { KBACKPORT_CACHE_DIR: cache });
      const staging = join(dirname(out), `.${basename(out)}.tmp-`);
      const ofRun = () => runningProcesses().filter((p) => p.cmdline.includes(staging));
      // One view of the process table in which make (the CLI's child) runs a compiler in its group.
      let builders: number[] = [];
      try {
        await waitFor(
          () => {
            const table = runningProcesses();
            const make = table.find((p) => p.comm === "make" && p.ppid === child.pid);
            const group = table.filter((p) => make && p.pgid === make.pgid);
            builders = group.map((p) => p.pid);
            return group.some((p) => p.comm === "cc1" && p.cmdline.includes(staging));
          },
          "a compiler of the run",
          10 * 60_000,
        );
      } catch (err) {
        child.kill("SIGKILL");
        throw err;
      }
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toMatch(
        new RegExp(
          `^interrupted by ${signal} during build \\(make modules for 5\\.10\\.\\S+\\): previous output ${out} kept$`,
        ),
      );
      expect(readdirSync(dirname(out))).toEqual(["out"]);
      expect(stillRunning(builders)).toEqual([]);
      expect(ofRun()).toEqual([]);
      expect(snapshot(out)).toEqual(previous);
    });
  }
});
