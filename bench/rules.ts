/**
 * Prints the cost of the rules at tree scale (figures only, nothing asserted), on the test fixture's
 * drivers/net and drivers/bus at 6.12 with every feature missing:
 *  - the transform time of all rules;
 *  - the u64-stats rule alone against Debian's spatch making the same edits (bench/u64-stats.cocci);
 *  - the peak resident memory of the all-rules transform, against the size of the corpus.
 * Each transform runs in its own node process (bench/transform-corpus.ts, bundled so no TypeScript loader
 * is measured). Needs what scripts/setup-debian.sh installs (coccinelle among it). Usage: npm run bench
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { execa } from "execa";
import { RULES } from "../src/transform/rules/index.js";

const ROOT = join(import.meta.dirname, "..");
const ROUNDS = 3;
const CORPUS = ["drivers/net", "drivers/bus"];

interface Figures {
  files: number;
  bytes: number;
  seconds: number;
  changed: number;
  sites: number;
  rssBefore: number;
  peakRss: number;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function transformRounds(script: string, dir: string, rules: string[]): Promise<Figures[]> {
  const rounds: Figures[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { stdout } = await execa("node", [script, dir, ...rules]);
    rounds.push(JSON.parse(stdout) as Figures);
  }
  return rounds;
}

async function main() {
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(homedir(), ".cache", "kbackport-test", "upstream");
  // The tests' fixture (6.1, then 6.12 on top): built once, shared with them.
  const tarballs = ["/usr/src/linux-source-6.1.tar.xz", "/usr/src/linux-source-6.12.tar.xz"];
  const fixture = await execa(join(ROOT, "scripts/upstream-from-debian.sh"), [repo, ...tarballs]);
  const [tag, commit] = fixture.stdout.trim().split("\n").at(-1)!.split(" ") as [string, string];

  const work = mkdtempSync(join(tmpdir(), "kbackport-bench-rules-"));
  try {
    await measure(repo, tag, commit, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(repo: string, tag: string, commit: string, work: string) {
  const corpus = join(work, "corpus");
  mkdirSync(corpus);
  await execa("sh", [
    "-c",
    `git -C "$1" archive "$2" ${CORPUS.join(" ")} | tar -x -C "$3"`,
    "sh",
    repo,
    commit,
    corpus,
  ]);
  const script = join(work, "transform-corpus.mjs");
  await build({
    entryPoints: [join(ROOT, "bench/transform-corpus.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: script,
    logLevel: "warning",
  });

  const all = await transformRounds(script, corpus, []);
  const { files, bytes } = all[0]!;
  console.log(`corpus     ${CORPUS.join(" + ")} at ${tag}: ${files} .c/.h files, ${mib(bytes)}`);
  console.log(
    `rules      all ${RULES.length} rules, every feature missing: ${median(all.map((r) => r.seconds)).toFixed(2)} s ` +
      `(median of ${ROUNDS}; target <= 3 s); ${all[0]!.sites} sites in ${all[0]!.changed} changed files`,
  );

  const u64 = await transformRounds(script, corpus, ["u64-stats"]);
  const ours = median(u64.map((r) => r.seconds));
  const cocci = join(ROOT, "bench/u64-stats.cocci");
  const spatchArgs = [
    "--sp-file",
    cocci,
    "--dir",
    corpus,
    "--include-headers",
    "--no-includes",
    "--jobs",
    "2",
  ];
  const version = await execa("spatch", ["--version"], { reject: false });
  if (version.exitCode !== 0) {
    console.log(`u64-stats  ours ${ours.toFixed(3)} s; spatch not found (apt-get install coccinelle)`);
  } else {
    const runs: { seconds: number; patched: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = process.hrtime.bigint();
      const { stdout } = await execa("spatch", ["--very-quiet", ...spatchArgs]);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      runs.push({ seconds, patched: stdout.split("\n").filter((l) => l.startsWith("+++ ")).length });
    }
    const theirs = median(runs.map((r) => r.seconds));
    console.log(
      `u64-stats  ours ${ours.toFixed(3)} s (${u64[0]!.changed} files) vs spatch ${theirs.toFixed(2)} s on 2 jobs ` +
        `(${runs[0]!.patched} files; ${version.stdout.split("\n")[0]}): ${(theirs / ours).toFixed(1)}x (medians; target >= 10x)`,
    );
  }

  const peak = Math.max(...all.map((r) => r.peakRss));
  console.log(
    `memory     peak RSS of the all-rules transform: ${mib(peak)}, ${(peak / bytes).toFixed(2)}x the corpus ` +
      `(target <= 2x; ${mib(all[0]!.rssBefore)} before the corpus was read)`,
  );
}

await main();
