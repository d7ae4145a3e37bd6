/**
 * Prints kbackport's costs on real trees (figures only, nothing asserted):
 *  - the wall time of `kbackport run` against plain `make M=` of the same prepared tree (overhead ratio),
 *    and kbackport's own time in a run (its wall time less that of its make);
 *  - the time of an unchanged re-run;
 *  - the bytes and time of the sparse partial fetch of one source against a full clone of the repository;
 *  - the time of `kbackport package openwrt` on a run of every component: .ipk files, index and signature.
 * Needs what scripts/setup-debian.sh installs. Usage: npm run bench [-- --rounds N]
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import type { RunReport } from "../src/report.js";

const ROOT = join(import.meta.dirname, "..");
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const COMPONENTS = "mhi,mhi_net";

const temp = (name: string) => mkdtempSync(join(tmpdir(), `kbackport-bench-${name}-`));
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

function dirBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, seconds(start)];
}

async function kbackport(args: string[], cache: string): Promise<RunReport> {
  const r = await execa("node", [join(ROOT, "bin/kbackport.cjs"), ...args, "--json"], {
    env: { KBACKPORT_CACHE_DIR: cache },
    reject: false,
  });
  const report = JSON.parse(r.stdout) as RunReport;
  if (report.errors.length > 0) throw new Error(`kbackport ${args[0]} failed: ${report.errors[0]!.message}`);
  return report;
}

async function main() {
  await execa("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  // The same fixture as the tests (6.1, then 6.12 on top), so neither rebuilds the other's.
  const tarballs = ["/usr/src/linux-source-6.1.tar.xz", "/usr/src/linux-source-6.12.tar.xz"];
  const fixture = await execa(join(ROOT, "scripts/upstream-from-debian.sh"), [repo, ...tarballs]);
  const commit = fixture.stdout.trim().split("\n").at(-1)!.split(" ")[1]!;
  const kernel = readdirSync("/usr/src")
    .filter((n) => /^linux-headers-5\.10\.0-\d+-amd64$/.test(n))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .at(-1);
  if (!kernel) throw new Error("no /usr/src/linux-headers-5.10.0-*-amd64: run scripts/setup-debian.sh");
  const sources = ["--source", `linux-next=${repo}@${commit}`, "--source", `net-next=${repo}@${commit}`];
  const recipe = join(ROOT, "recipes/mhi-wwan.yaml");
  const common = [recipe, "--kernel", join("/usr/src", kernel), "--components", COMPONENTS, ...sources];

  console.log(
    `kbackport bench: ${COMPONENTS} from ${repo} @ ${commit.slice(0, 12)} against ${kernel}, ${ROUNDS} rounds`,
  );

  // Fetch: one source's sparse partial fetch against a full clone of the same repository.
  const fetchCache = temp("fetch");
  const [fetched, fetchTime] = await timed(() =>
    kbackport(["fetch", recipe, "--components", "mhi", ...sources], fetchCache),
  );
  const sparseBytes = dirBytes(join(fetched.sources[0]!.dir, ".git/objects"));
  const full = join(temp("full"), "full.git");
  const [, fullTime] = await timed(() =>
    execa("git", ["clone", "-q", "--bare", "--no-local", pathToFileURL(repo).href, full]),
  );
  const fullBytes = dirBytes(join(full, "objects"));
  console.log(
    `fetch      sparse partial of source linux-next (component mhi): ${mib(sparseBytes)} in ${fetchTime.toFixed(2)} s; ` +
      `full clone: ${mib(fullBytes)} in ${fullTime.toFixed(1)} s; ratio ${((100 * sparseBytes) / fullBytes).toFixed(2)}% (target <= 1.5%)`,
  );
  rmSync(full, { recursive: true, force: true });

  // Overhead: kbackport run (sources cached) against plain make M= on a fresh copy of the same tree.
  const cache = temp("cache");
  // A prepared, never built tree (sources cached by the same call): the baseline builds copies of it.
  const first = await kbackport(["prepare", ...common, "--out", join(temp("warm"), "out")], cache);
  const runs: number[] = [];
  const makes: number[] = [];
  // kbackport's own time in a run: its wall time less that of the make it ran.
  const own: number[] = [];
  let lastOut = "";
  for (let i = 0; i < ROUNDS; i++) {
    const out = join(temp("run"), "out");
    lastOut = out;
    const [report, t] = await timed(() => kbackport(["run", ...common, "--out", out], cache));
    runs.push(t);
    own.push(t - report.makeSeconds!);
    const tree = join(temp("make"), "tree");
    cpSync(join(first.outDir!, "tree"), tree, { recursive: true });
    const args = report.make!.slice(1).map((a) => (a.startsWith("M=") ? `M=${tree}` : a));
    const [, m] = await timed(() => execa("make", args, { env: { LC_ALL: "C" } }));
    makes.push(m);
  }
  const ratio = median(runs) / median(makes);
  // Both makes vary by more than kbackport's own time: the ratio of medians alone says little at 5%.
  const ownRatio = (median(makes) + median(own)) / median(makes);
  console.log(
    `overhead   kbackport run ${median(runs).toFixed(2)} s vs make M= ${median(makes).toFixed(2)} s (medians): ${ratio.toFixed(3)}x; ` +
      `kbackport's own time (run less its make) ${(median(own) * 1000).toFixed(0)} ms: ${ownRatio.toFixed(3)}x of make M= (target <= 1.05x)`,
  );

  // Unchanged re-run of the same output.
  const reruns: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [again, t] = await timed(() => kbackport(["run", ...common, "--out", lastOut], cache));
    if (!again.cached) throw new Error("the unchanged re-run did not reuse the output");
    reruns.push(t);
  }
  console.log(`rerun      unchanged re-run: ${median(reruns).toFixed(3)} s (median; target <= 1 s)`);

  // Packaging: every module the target allows, for the target's own kernel version as an OpenWrt kernel.
  const all = await kbackport(
    ["run", recipe, "--kernel", join("/usr/src", kernel), ...sources, "--out", join(temp("all"), "out")],
    cache,
  );
  const keys = temp("key");
  await execa("signify-openbsd", ["-G", "-n", "-p", join(keys, "key.pub"), "-s", join(keys, "key.sec")]);
  const packaging: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [, t] = await timed(() =>
      execa("node", [
        join(ROOT, "bin/kbackport.cjs"),
        "package",
        "openwrt",
        all.outDir!,
        "--kernel-package",
        `${all.target!.version}-1-${"0".repeat(32)}`,
        "--arch-packages",
        "x86_64",
        "--sign-key",
        join(keys, "key.sec"),
        "--out",
        temp("package"),
      ]),
    );
    packaging.push(t);
  }
  console.log(
    `package    kbackport package openwrt, ${all.modules.length} modules with index and signature: ${median(packaging).toFixed(3)} s (median, node start-up included; target < 1 s)`,
  );
}

await main();
