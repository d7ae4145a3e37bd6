import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ROOT } from "./cli.js";

/** The newest /usr/src entry matching a pattern, or an error naming the Debian package to install. */
function newest(pattern: RegExp, install: string): string {
  const found = existsSync("/usr/src")
    ? readdirSync("/usr/src")
        .filter((n) => pattern.test(n))
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    : [];
  const last = found.at(-1);
  if (!last) throw new Error(`no /usr/src/${pattern.source}: ${install} (.ci/run installs it)`);
  return join("/usr/src", last);
}

/** Debian bullseye's 5.10 headers for amd64: the real older target. */
export const headers510 = () =>
  newest(/^linux-headers-5\.10\.0-\d+-amd64$/, "apt-get install linux-headers-5.10.0-NN-amd64 from bullseye");

/** Debian bookworm's 6.1 headers for amd64. */
export const headers61 = () =>
  newest(/^linux-headers-6\.1\.0-\d+-amd64$/, "apt-get install linux-headers-amd64");

export const source61Tarball = () =>
  newest(/^linux-source-6\.1\.tar\.xz$/, "apt-get install linux-source-6.1");

export const source612Tarball = () =>
  newest(/^linux-source-6\.12\.tar\.xz$/, "apt-get install linux-source-6.12");

export const source510Tarball = () =>
  newest(/^linux-source-5\.10\.tar\.xz$/, "apt-get install linux-source-5.10 (bullseye)");

/** Debian bullseye's stock 5.10 kernel (the package scripts/setup-debian.sh downloads), unpacked once. */
export function stockKernel510(): { vmlinuz: string; modules: string; release: string } {
  const cache = "/var/cache/kbackport";
  const deb = existsSync(cache)
    ? readdirSync(cache).find((n) => /^linux-image-5\.10\.0-\d+-amd64_.*\.deb$/.test(n))
    : undefined;
  if (!deb) throw new Error(`no ${cache}/linux-image-5.10.0-*-amd64_*.deb: run scripts/setup-debian.sh`);
  const release = deb.split("_")[0]!.replace(/^linux-image-/, "");
  const dir = join(homedir(), ".cache", "kbackport-test", deb.replace(/\.deb$/, ""));
  if (!existsSync(join(dir, "boot", `vmlinuz-${release}`))) {
    mkdirSync(dir, { recursive: true });
    execFileSync("dpkg-deb", ["-x", join(cache, deb), dir]);
  }
  return {
    vmlinuz: join(dir, "boot", `vmlinuz-${release}`),
    modules: join(dir, "lib", "modules", release),
    release,
  };
}

/**
 * A kernel tree from Debian's linux-source-5.10 under ~/.cache/kbackport-test (scripts/prepare-kernel-tree.sh,
 * reused while prepared the same way): `settings` are CONFIG_X=v lines, `configFile` a file of them under test/.
 */
export async function kernelTree510(
  name: string,
  arch: string,
  opts: { base?: "defconfig" | "tinyconfig"; image?: boolean; settings?: string[]; configFile?: string } = {},
): Promise<string> {
  const dir = join(homedir(), ".cache", "kbackport-test", name);
  const fromFile = opts.configFile
    ? readFileSync(join(ROOT, "test", opts.configFile), "utf8")
        .split("\n")
        .filter((l) => /^CONFIG_/.test(l))
    : [];
  await execa(
    join(ROOT, "scripts/prepare-kernel-tree.sh"),
    [
      ...(opts.base ? ["--config", opts.base] : []),
      ...(opts.image ? ["--image"] : []),
      source510Tarball(),
      dir,
      arch,
      ...(opts.settings ?? []),
      ...fromFile,
    ],
    { stdio: "inherit" },
  );
  return dir;
}

/**
 * Little-endian MIPS 5.10 (tinyconfig, a Malta board with PCI), built: the kernel of the OpenWrt ramips
 * tests, a router target of its own, and the vmlinux the VM check boots on qemu's malta.
 */
export const mipselTree510 = () =>
  kernelTree510("linux-5.10-mipsel", "mipsel", {
    base: "tinyconfig",
    image: true,
    configFile: "fixtures/mipsel-kernel.config",
  });

/**
 * 32-bit ARM 5.10 (tinyconfig, ARMv7 with Qualcomm SoCs and PCI), built: a router target, and the zImage
 * the VM check boots on qemu's virt.
 */
export const armTree510 = () =>
  kernelTree510("linux-5.10-arm", "arm", {
    base: "tinyconfig",
    image: true,
    configFile: "fixtures/arm-kernel.config",
  });
