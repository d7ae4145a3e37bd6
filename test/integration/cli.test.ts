import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kbackport, tempDir } from "../helpers/cli.js";
import { elfHeader } from "../helpers/elf.js";
import { headers510 } from "../helpers/debian.js";

describe("kbackport CLI", () => {
  it("doctor lists every tool with the package that provides it", async () => {
    const r = await kbackport(["doctor", "--json"]);
    const { checks, missing } = JSON.parse(r.stdout) as {
      checks: { name: string; ok: boolean; install: string }[];
      missing: string[];
    };
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "git",
        "make",
        "gcc",
        "flex",
        "bison",
        "libelf",
        "aarch64-linux-gnu-gcc (arm64)",
        "arm-linux-gnueabihf-gcc (arm)",
        "mips-linux-gnu-gcc (mips)",
        "mipsel-linux-gnu-gcc (mipsel)",
        "mips64-linux-gnuabi64-gcc (mips64)",
        "mips64el-linux-gnuabi64-gcc (mips64el)",
      ]),
    );
    expect(checks.find((c) => c.name === "libelf")!.install).toBe("libelf-dev");
    expect(checks.find((c) => c.name === "mipsel-linux-gnu-gcc (mipsel)")!.install).toBe(
      "gcc-mipsel-linux-gnu",
    );
    expect(checks.find((c) => c.name === "mips64el-linux-gnuabi64-gcc (mips64el)")!.install).toBe(
      "gcc-mips64el-linux-gnuabi64",
    );
    // The test machine has every tool (.ci/run installs them): doctor passes.
    expect(missing).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it("doctor fails and names the packages of what is missing", async () => {
    const r = await kbackport(["doctor", "--arch", "riscv"], { PATH: tempDir("empty-path") });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^make +MISSING$/m);
    expect(r.stdout).toMatch(/^riscv64-linux-gnu-gcc \(riscv\) +MISSING$/m);
    expect(r.stdout).toMatch(/^x86_64-linux-gnu-gcc \(x86\) +not installed \(optional\)$/m);
    expect(r.stdout).toContain("install what is missing: apt-get install git make gcc flex bison bc kmod");
    expect(r.stdout).toContain("gcc-riscv64-linux-gnu");
  });

  it("rejects unknown options with exit code 2", async () => {
    const r = await kbackport(["run", "recipes/mhi-wwan.yaml", "--no-such-flag"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });

  it("rejects a --source without a full commit id before doing anything", async () => {
    const r = await kbackport(["fetch", "recipes/mhi-wwan.yaml", "--source", "linux-next=/srv/linux@abc123"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--source linux-next: 'abc123' is not a full 40-hex commit id");
  });

  it("says when the kernel directory does not exist", async () => {
    const r = await kbackport(["prepare", "recipes/mhi-wwan.yaml", "--kernel", "/nonexistent"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("error: kernel directory /nonexistent does not exist");
    expect(r.stdout).toContain(
      "hint: pass --kernel with a configured kernel tree or a linux-headers-* directory",
    );
  });

  it("rejects an unknown --assume-missing feature and lists the known ones", async () => {
    const r = await kbackport([
      "prepare",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--assume-missing",
      "fsleep,nope",
      "--out",
      tempDir("am"),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("error: --assume-missing: unknown feature 'nope'");
    expect(r.stdout).toMatch(/hint: known features: u64_stats_t, fsleep, /);
  });

  it("rejects an unknown --duplicates choice with exit code 2", async () => {
    const r = await kbackport(["run", "recipes/mhi-wwan.yaml", "--duplicates", "merge"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("argument 'merge' is invalid. Allowed choices are replace, skip, in-tree.");
  });

  it("validate says what it needs: a run's output, a kernel image for --vm of the kind its machine boots", async () => {
    const notARun = tempDir("not-a-run");
    const noRun = await kbackport(["validate", notARun]);
    expect(noRun).toMatchObject({ exitCode: 1 });
    expect(noRun.stdout).toContain(`error: ${notARun} is not the output of a run: it has no report.json`);
    expect(noRun.stdout).toContain(
      "hint: pass the --out directory of a `kbackport run`, `build` or `prepare`",
    );

    const noKernel = await kbackport(["validate", notARun, "--vm"]);
    expect(noKernel.exitCode).toBe(1);
    expect(noKernel.stdout).toContain("error: --vm needs --vm-kernel <vmlinuz>");

    const noReport = await kbackport(["validate", notARun, "--vm", "--vm-kernel", "/nonexistent"]);
    expect(noReport.exitCode).toBe(1);
    expect(noReport.stdout).toContain(`error: ${notARun} is not the output of a run: it has no report.json`);

    const run = (arch: string) => {
      const dir = join(tempDir(`run-${arch}`), "out");
      mkdirSync(dir);
      writeFileSync(
        join(dir, "report.json"),
        JSON.stringify({
          kbackport: "0.1.0",
          command: "run",
          target: {
            dir: "/nonexistent",
            sourceDir: "/nonexistent",
            kind: "headers",
            release: "5.10.0-46-amd64",
            version: "5.10.262",
            arch,
            crossCompile: "",
            compiler: "gcc-10",
            symvers: true,
            features: [],
          },
          modules: [],
        }),
      );
      return dir;
    };
    const arm = await kbackport(["validate", run("arm64"), "--vm", "--vm-kernel", "/nonexistent", "--json"]);
    expect(arm.exitCode).toBe(1);
    expect(JSON.parse(arm.stdout)).toEqual({
      ok: false,
      errors: [
        {
          message:
            "the VM check cannot boot arm64 kernels: it boots x86 (qemu-system-x86_64 -machine pc), " +
            "arm (qemu-system-arm -machine virt), mipsel (qemu-system-mipsel -machine malta)",
          hint: "validate the run without --vm",
        },
      ],
    });

    // A MIPS target's endianness is read from its tree's .config.
    const mips = await kbackport(["validate", run("mips"), "--vm", "--vm-kernel", "/nonexistent"]);
    expect(mips.exitCode).toBe(1);
    expect(mips.stdout).toContain(
      "error: the VM check reads a MIPS target's endianness from its .config, and the run's kernel tree is gone",
    );

    const notZImage = join(tempDir("not-zimage"), "zImage");
    writeFileSync(notZImage, "not a kernel");
    const wrongImage = await kbackport(["validate", run("arm"), "--vm", "--vm-kernel", notZImage]);
    expect(wrongImage.exitCode).toBe(1);
    expect(wrongImage.stdout).toContain(
      `error: ${notZImage} is not an ARM zImage, the kernel image qemu-system-arm boots here`,
    );

    const missingImage = await kbackport(["validate", run("x86"), "--vm", "--vm-kernel", "/nonexistent"]);
    expect(missingImage.exitCode).toBe(1);
    expect(missingImage.stdout).toContain("error: kernel image /nonexistent does not exist");
    expect(missingImage.stdout).toContain(
      "hint: use the kernel the run was built for (5.10.0-46-amd64): /boot/vmlinuz-5.10.0-46-amd64 where it " +
        "is installed, arch/x86/boot/bzImage in its build tree",
    );
  });
});

describe("package and refresh refuse unclear requests before any work", () => {
  /** A run directory with a report of a 5.10.262 build and one module (its ELF header: 32-bit MIPS, little-endian, relocatable). */
  const runDir = () => {
    const dir = join(tempDir("pkg-run"), "out");
    mkdirSync(join(dir, "modules"), { recursive: true });
    const ko = elfHeader({ machine: 8, elfClass: 1 });
    writeFileSync(join(dir, "modules", "mhi.ko"), ko);
    writeFileSync(
      join(dir, "report.json"),
      JSON.stringify({
        kbackport: "0.1.0",
        command: "run",
        recipe: { name: "mhi-wwan" },
        target: {
          dir: "/nonexistent",
          sourceDir: "/nonexistent",
          kind: "tree",
          version: "5.10.262",
          release: "5.10.262",
          arch: "mips",
          crossCompile: "mipsel-linux-gnu-",
          compiler: "mipsel-linux-gnu-gcc",
          symvers: true,
          features: [],
        },
        modules: [
          {
            name: "mhi",
            component: "mhi",
            dir: "drivers/bus/mhi/host",
            path: "modules/mhi.ko",
            sha256: createHash("sha256").update(ko).digest("hex"),
          },
        ],
        sources: [],
      }),
    );
    return dir;
  };
  const hash = "0123456789abcdef0123456789abcdef";

  it("package openwrt: which kernel, once, in OpenWrt's forms", async () => {
    const run = runDir();
    const cases: [string[], string][] = [
      [
        [],
        "error: which OpenWrt kernel? pass --openwrt DIR, or --kernel-package VERSION with --arch-packages ARCH",
      ],
      [
        ["--openwrt", "/nonexistent", "--kernel-package", `5.10.262-1-${hash}`],
        "error: --openwrt names the kernel already: leave out --kernel-package and --arch-packages",
      ],
      [
        ["--kernel-package", `5.10.262-1-${hash}`, "--arch-packages", "MIPS 24kc"],
        "error: --arch-packages MIPS 24kc: not an OpenWrt package architecture (e.g. mipsel_24kc)",
      ],
      [
        ["--kernel-package", "5.10.262", "--arch-packages", "mipsel_24kc"],
        "error: --kernel-package 5.10.262: not the version of an OpenWrt kernel package",
      ],
      [
        ["--kernel-package", `5.10.262-1-${hash}`, "--arch-packages", "mipsel_24kc"],
        `error: ${run}/report.json does not say when its pins were committed`,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await kbackport(["package", "openwrt", run, ...args]);
      expect(r.exitCode, args.join(" ")).toBe(1);
      expect(r.stdout).toContain(message);
    }
    expect(readdirSync(run).sort()).toEqual(["modules", "report.json"]);
  });

  it("run: --sign-key needs --openwrt", async () => {
    const r = await kbackport([
      "run",
      "recipes/mhi-wwan.yaml",
      "--kernel",
      headers510(),
      "--sign-key",
      "/nonexistent",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("error: --sign-key signs OpenWrt packages: use it with run --openwrt");
  });

  it("refresh: known sources, a target, --allow-broken only with --write", async () => {
    const pin = "0".repeat(40);
    const unknown = await kbackport([
      "refresh",
      "recipes/mhi-wwan.yaml",
      "--to",
      `linux=${pin}`,
      "--kernel",
      headers510(),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toContain("error: --to linux: the recipe has no source of that name");
    expect(unknown.stdout).toContain("hint: its sources are: linux-next, net-next");
    const noTarget = await kbackport(["refresh", "recipes/mhi-wwan.yaml", "--to", `net-next=${pin}`]);
    expect(noTarget.stdout).toContain("error: refresh needs a target: pass --kernel DIR");
    const broken = await kbackport([
      "refresh",
      "recipes/mhi-wwan.yaml",
      "--to",
      `net-next=${pin}`,
      "--allow-broken",
    ]);
    expect(broken.stdout).toContain("error: --allow-broken goes with --write");
    const short = await kbackport(["refresh", "recipes/mhi-wwan.yaml", "--to", "net-next=abc"]);
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain("'net-next=abc' is not NAME=COMMIT with a full 40-hex commit id");
  });
});
