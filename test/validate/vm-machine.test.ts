import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KbackportError } from "../../src/errors.js";
import { parseConfig } from "../../src/kernel/target.js";
import { inRoot } from "../../src/validate/initramfs.js";
import {
  checkImage,
  defaultGuestRoot,
  libraryDirs,
  qemuCommand,
  vmMachine,
} from "../../src/validate/vm-machine.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "kbackport-vm-machine-"));
  dirs.push(dir);
  return dir;
};

const MIPSEL = parseConfig("CONFIG_MIPS=y\nCONFIG_32BIT=y\nCONFIG_CPU_LITTLE_ENDIAN=y\n");
const MIPS = parseConfig("CONFIG_MIPS=y\nCONFIG_32BIT=y\nCONFIG_CPU_BIG_ENDIAN=y\n");

/** The error a call throws, for its message and hint. */
function thrown(f: () => unknown): KbackportError {
  try {
    f();
  } catch (err) {
    if (err instanceof KbackportError) return err;
    throw err;
  }
  throw new Error("nothing thrown");
}

describe("the VM check's machine for a run's target", () => {
  it("boots x86 on qemu's pc, its console on the first UART", () => {
    const machine = vmMachine("x86", new Map());
    expect(qemuCommand(machine, "/boot/vmlinuz", "/tmp/initrd.cpio")).toEqual({
      file: "qemu-system-x86_64",
      args: [
        ...["-machine", "pc", "-m", "512M", "-accel", "tcg", "-smp", "1", "-nographic", "-no-reboot"],
        ...["-nic", "none", "-kernel", "/boot/vmlinuz", "-initrd", "/tmp/initrd.cpio"],
        ...["-append", "console=ttyS0 panic=-1 loglevel=3"],
      ],
    });
    expect(defaultGuestRoot(machine)).toBe(process.arch === "x64" ? "/" : "/var/cache/kbackport/guest-amd64");
    expect(libraryDirs(machine)).toEqual(["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]);
  });

  it("boots 32-bit ARM on qemu's virt below 4 GiB with a Cortex-A7, its console on the PL011", () => {
    const machine = vmMachine("arm", undefined);
    expect(qemuCommand(machine, "zImage", "initrd").args).toEqual([
      ...["-machine", "virt,highmem=off", "-cpu", "cortex-a7", "-m", "512M"],
      ...["-accel", "tcg", "-smp", "1", "-nographic", "-no-reboot", "-nic", "none"],
      ...["-kernel", "zImage", "-initrd", "initrd", "-append", "console=ttyAMA0 panic=-1 loglevel=3"],
    ]);
    expect(machine).toMatchObject({ qemu: "qemu-system-arm", qemuPackage: "qemu-system-arm" });
    if (process.arch === "x64") expect(defaultGuestRoot(machine)).toBe("/var/cache/kbackport/guest-armhf");
    expect(libraryDirs(machine)).toEqual(["/lib/arm-linux-gnueabihf", "/usr/lib/arm-linux-gnueabihf"]);
  });

  it("boots little-endian MIPS on qemu's malta with a 24Kf, as its .config says", () => {
    const machine = vmMachine("mips", MIPSEL);
    expect(qemuCommand(machine, "vmlinux", "initrd").args).toEqual([
      ...["-machine", "malta", "-cpu", "24Kf", "-m", "256M"],
      ...["-accel", "tcg", "-smp", "1", "-nographic", "-no-reboot", "-nic", "none"],
      ...["-kernel", "vmlinux", "-initrd", "initrd", "-append", "console=ttyS0 panic=-1 loglevel=3"],
    ]);
    expect(machine).toMatchObject({ qemu: "qemu-system-mipsel", qemuPackage: "qemu-system-mips" });
    if (process.arch === "x64") expect(defaultGuestRoot(machine)).toBe("/var/cache/kbackport/guest-mipsel");
    expect(libraryDirs(machine)).toEqual(["/lib/mipsel-linux-gnu", "/usr/lib/mipsel-linux-gnu"]);
  });

  it("names the arch it cannot boot and those it can", () => {
    const supported =
      "it boots x86 (qemu-system-x86_64 -machine pc), arm (qemu-system-arm -machine virt), " +
      "mipsel (qemu-system-mipsel -machine malta)";
    for (const [arch, config, name] of [
      ["arm64", undefined, "arm64"],
      ["mips", MIPS, "mips"],
    ] as const) {
      const err = thrown(() => vmMachine(arch, config));
      expect(err.message).toBe(`the VM check cannot boot ${name} kernels: ${supported}`);
      expect(err.hint).toBe("validate the run without --vm");
    }
    expect(thrown(() => vmMachine("mips", undefined)).message).toBe(
      "the VM check reads a MIPS target's endianness from its .config, and the run's kernel tree is gone",
    );
  });

  it("refuses a file that is not the image the machine boots, naming the one to pass", () => {
    const dir = tempDir();
    const zImage = Buffer.alloc(0x40);
    zImage.writeUInt32LE(0x016f2818, 0x24);
    writeFileSync(join(dir, "zImage"), zImage);
    const bzImage = Buffer.alloc(0x210);
    bzImage.write("HdrS", 0x202);
    writeFileSync(join(dir, "bzImage"), bzImage);
    const arm = vmMachine("arm", undefined);
    expect(() => checkImage(arm, join(dir, "zImage"), "5.10.262")).not.toThrow();
    expect(() => checkImage(vmMachine("x86", undefined), join(dir, "bzImage"), "5.10.262")).not.toThrow();
    for (const image of [join(dir, "bzImage"), dir]) {
      const err = thrown(() => checkImage(arm, image, "5.10.262"));
      expect(err.message).toBe(`${image} is not an ARM zImage, the kernel image qemu-system-arm boots here`);
      expect(err.hint).toBe(
        "use the kernel the run was built for (5.10.262): /boot/vmlinuz-5.10.262 where it is installed, " +
          "arch/arm/boot/zImage in its build tree",
      );
    }
    expect(thrown(() => checkImage(vmMachine("mips", MIPSEL), join(dir, "zImage"), "5.10.262")).message).toBe(
      `${join(dir, "zImage")} is not a 32-bit little-endian ELF vmlinux, the kernel image qemu-system-mipsel boots here`,
    );
  });
});

describe("the guest's root", () => {
  it("follows a package's links within the root, never out to the host's files", () => {
    const root = tempDir();
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "sbin"));
    mkdirSync(join(root, "lib/arm-linux-gnueabihf"), { recursive: true });
    writeFileSync(join(root, "bin/ip"), "");
    symlinkSync("/bin/ip", join(root, "sbin/ip"));
    writeFileSync(join(root, "lib/arm-linux-gnueabihf/ld-linux-armhf.so.3"), "");
    symlinkSync("arm-linux-gnueabihf/ld-linux-armhf.so.3", join(root, "lib/ld-linux-armhf.so.3"));
    symlinkSync("loop", join(root, "loop"));
    symlinkSync("/etc/hostname", join(root, "hostname"));
    expect(inRoot(root, "/sbin/ip")).toBe(join(root, "bin/ip"));
    expect(inRoot(root, "/lib/ld-linux-armhf.so.3")).toBe(
      join(root, "lib/arm-linux-gnueabihf/ld-linux-armhf.so.3"),
    );
    expect(inRoot(root, "/sbin/../bin/ip")).toBe(join(root, "bin/ip"));
    expect(inRoot(root, "/hostname")).toBeUndefined();
    expect(inRoot(root, "/loop")).toBeUndefined();
    expect(inRoot(root, "/usr/sbin/ip")).toBeUndefined();
  });
});
