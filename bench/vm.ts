/**
 * Prints the time of the VM check with the data path (software modem, ping, flood, AT, rebind, unload) per
 * architecture, under qemu's TCG: the whole `kbackport validate RUN --vm` (building the modem included)
 * and the guest's own boot-to-poweroff time. Figures only, nothing asserted; target <= 60 s per arch.
 * Needs what scripts/setup-debian.sh installs and the kernels the VM tests prepare (an arch whose kernel
 * is not prepared is reported as skipped). Usage: npx tsx bench/vm.ts
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { RunReport } from "../src/report.js";
import type { VmReport } from "../src/validate/vm.js";

const ROOT = join(import.meta.dirname, "..");
const TREES = join(homedir(), ".cache", "kbackport-test");
const temp = (name: string) => mkdtempSync(join(tmpdir(), `kbackport-bench-${name}-`));

interface VmTarget {
  arch: string;
  kernel: string;
  image: string;
  extra: string[];
}

function targets(): VmTarget[] {
  const headers = readdirSync("/usr/src")
    .filter((n) => /^linux-headers-5\.10\.0-\d+-amd64$/.test(n))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .at(-1);
  const stock = readdirSync(TREES).find((n) => /^linux-image-5\.10\.0-\d+-amd64_/.test(n));
  const release = headers?.replace(/^linux-headers-/, "");
  return [
    {
      arch: "x86_64",
      kernel: headers ? join("/usr/src", headers) : "",
      image: stock && release ? join(TREES, stock, "boot", `vmlinuz-${release}`) : "",
      extra: stock && release ? ["--vm-modules", join(TREES, stock, "lib", "modules", release)] : [],
    },
    {
      arch: "arm",
      kernel: join(TREES, "linux-5.10-arm"),
      image: join(TREES, "linux-5.10-arm", "arch/arm/boot/zImage"),
      extra: [],
    },
    {
      arch: "mipsel",
      kernel: join(TREES, "linux-5.10-mipsel"),
      image: join(TREES, "linux-5.10-mipsel", "vmlinux"),
      extra: [],
    },
  ];
}

async function main() {
  await execa("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = process.env.KBACKPORT_TEST_UPSTREAM ?? join(TREES, "upstream");
  const commit = (await execa("git", ["-C", repo, "rev-parse", "HEAD"])).stdout.trim();
  const sources = ["--source", `linux-next=${repo}@${commit}`, "--source", `net-next=${repo}@${commit}`];
  const cli = join(ROOT, "bin/kbackport.cjs");
  for (const t of targets()) {
    if (!t.kernel || !existsSync(t.image)) {
      console.log(`vm ${t.arch.padEnd(7)} skipped: no bootable kernel at ${t.image || "(none)"}`);
      continue;
    }
    const out = join(temp(`vm-${t.arch}`), "out");
    const run = await execa(
      "node",
      [
        cli,
        "run",
        "recipes/mhi-wwan.yaml",
        "--kernel",
        t.kernel,
        "--components",
        "mhi,mhi_net,wwan",
        "--out",
        out,
        ...sources,
        "--json",
      ],
      { cwd: ROOT, reject: false, env: { KBACKPORT_CACHE_DIR: temp("vm-cache") } },
    );
    const report = JSON.parse(run.stdout) as RunReport;
    if (report.errors.length) throw new Error(`run for ${t.arch} failed: ${report.errors[0]!.message}`);
    const start = process.hrtime.bigint();
    const r = await execa(
      "node",
      [cli, "validate", out, "--vm", "--vm-kernel", t.image, ...t.extra, "--json"],
      {
        cwd: ROOT,
        reject: false,
      },
    );
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const parsed = JSON.parse(r.stdout) as { vm?: VmReport; errors?: { message: string }[] };
    if (!parsed.vm) {
      console.log(`vm ${t.arch.padEnd(7)} not run: ${parsed.errors?.[0]?.message ?? r.stdout}`);
      continue;
    }
    const { vm } = parsed;
    const failed = vm.checks.filter((c) => !c.ok).map((c) => c.id);
    console.log(
      `vm ${t.arch.padEnd(7)} data-path check ${wall.toFixed(1)} s (guest ${vm.seconds.toFixed(1)} s, ${vm.checks.length} checks, ${failed.length ? `FAILED: ${failed.join(", ")}` : "all ok"}; target <= 60 s)`,
    );
  }
}

await main();
