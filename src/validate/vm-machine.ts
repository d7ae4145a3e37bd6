import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { KbackportError } from "../errors.js";
import { DEBIAN_CROSS, toolchainArch } from "../kernel/target.js";

/** How qemu boots a kernel of one architecture, and the user space the guest runs. */
export interface VmMachine {
  /** The guest's architecture as `toolchainArch` names it. */
  arch: string;
  qemu: string;
  /** Debian's package with that qemu. */
  qemuPackage: string;
  /** qemu's -machine, with the properties it needs here. */
  board: string;
  boardProperties?: string;
  /** qemu's -cpu, where the board's default is not the one the kernel is built for. */
  cpu?: string;
  memory: string;
  /** The board's serial console, as the kernel names it. */
  console: string;
  /** What to boot: where a kernel build leaves the image qemu loads for this board. */
  image: string;
  /** Bytes every such image has at an offset, to refuse another kind before qemu would hang on it. */
  magic: { offset: number; bytes: number[]; what: string };
  /** Debian's name for the architecture: whose busybox-static and iproute2 the guest runs. */
  debianArch: string;
  /** Node's `process.arch` on a host of that architecture, which can lend the guest its own binaries. */
  nodeArch: string;
}

const ELF32_LE = [0x7f, 0x45, 0x4c, 0x46, 1, 1];

const MACHINES: readonly VmMachine[] = [
  {
    arch: "x86",
    qemu: "qemu-system-x86_64",
    qemuPackage: "qemu-system-x86",
    board: "pc",
    memory: "512M",
    // The PC's first UART (COM1).
    console: "ttyS0",
    image: "arch/x86/boot/bzImage",
    // Documentation/x86/boot.rst: the setup header's signature.
    magic: { offset: 0x202, bytes: [...Buffer.from("HdrS")], what: "an x86 bzImage" },
    debianArch: "amd64",
    nodeArch: "x64",
  },
  {
    arch: "arm",
    qemu: "qemu-system-arm",
    qemuPackage: "qemu-system-arm",
    // qemu's docs/system/arm/virt.rst: `highmem` (on by default) places devices above 4 GiB, where a kernel
    // without ARM_LPAE (as ipq40xx's) finds no PCI host. The Cortex-A7 is ipq40xx's CPU.
    board: "virt",
    boardProperties: "highmem=off",
    cpu: "cortex-a7",
    memory: "512M",
    // virt.rst: the board's UART is a PL011.
    console: "ttyAMA0",
    image: "arch/arm/boot/zImage",
    // arch/arm/boot/compressed/head.S: "Magic numbers to help the loader", 0x016f2818 at offset 0x24.
    magic: { offset: 0x24, bytes: [0x18, 0x28, 0x6f, 0x01], what: "an ARM zImage" },
    debianArch: "armhf",
    nodeArch: "arm",
  },
  {
    arch: "mipsel",
    qemu: "qemu-system-mipsel",
    qemuPackage: "qemu-system-mips",
    // qemu's hw/mips/malta.c: RAM below the I/O hole is at most 256 MiB, the rest a kernel without HIGHMEM
    // cannot map. The 24Kf (the board's default) is a MIPS32r2 core, as CPU_MIPS32_R2 and ramips's 24KEc.
    board: "malta",
    cpu: "24Kf",
    memory: "256M",
    // The Malta's Super I/O UART, an 8250 (arch/mips/mti-malta/malta-platform.c).
    console: "ttyS0",
    // qemu's Malta loads an ELF kernel (hw/mips/malta.c: load_elf).
    image: "vmlinux",
    magic: { offset: 0, bytes: ELF32_LE, what: "a 32-bit little-endian ELF vmlinux" },
    debianArch: "mipsel",
    nodeArch: "mipsel",
  },
];

/**
 * The machine for a run's target: its ARCH, and for MIPS the endianness and word size its .config sets
 * (`config` is undefined when the target's tree is no longer there).
 */
export function vmMachine(arch: string, config: ReadonlyMap<string, string> | undefined): VmMachine {
  if (arch === "mips" && !config) {
    throw new KbackportError(
      "the VM check reads a MIPS target's endianness from its .config, and the run's kernel tree is gone",
      { hint: "run the backport again against the kernel tree, then validate that run" },
    );
  }
  const guest = toolchainArch(arch, config ?? new Map());
  const machine = MACHINES.find((m) => m.arch === guest);
  if (!machine) {
    throw new KbackportError(
      `the VM check cannot boot ${guest} kernels: it boots ${MACHINES.map((m) => `${m.arch} (${m.qemu} -machine ${m.board})`).join(", ")}`,
      { hint: "validate the run without --vm" },
    );
  }
  return machine;
}

/** qemu's command line: TCG, as a /dev/kvm may exist and not work; no network card: the checks use none. */
export function qemuCommand(
  machine: VmMachine,
  kernel: string,
  initrd: string,
): { file: string; args: string[] } {
  return {
    file: machine.qemu,
    args: [
      "-machine",
      machine.boardProperties ? `${machine.board},${machine.boardProperties}` : machine.board,
      ...(machine.cpu ? ["-cpu", machine.cpu] : []),
      "-m",
      machine.memory,
      "-accel",
      "tcg",
      "-smp",
      "1",
      "-nographic",
      "-no-reboot",
      "-nic",
      "none",
      "-kernel",
      kernel,
      "-initrd",
      initrd,
      "-append",
      `console=${machine.console} panic=-1 loglevel=3`,
    ],
  };
}

/** scripts/setup-debian.sh unpacks Debian's busybox-static and iproute2 of each foreign guest here. */
const GUEST_ROOTS = "/var/cache/kbackport";

/** Where the guest's busybox and iproute2 come from: the host itself when it runs the same binaries. */
export function defaultGuestRoot(machine: VmMachine): string {
  return machine.nodeArch === process.arch ? "/" : join(GUEST_ROOTS, `guest-${machine.debianArch}`);
}

/** Debian's library directories for the architecture: its multiarch tuple, the cross toolchain's prefix. */
export function libraryDirs(machine: VmMachine): string[] {
  const tuple = DEBIAN_CROSS[machine.arch]!.slice(0, -1);
  return [`/lib/${tuple}`, `/usr/lib/${tuple}`];
}

/** Refuses a file that is not the kind of kernel image the machine boots. */
export function checkImage(machine: VmMachine, image: string, release: string): void {
  const { offset, bytes, what } = machine.magic;
  const head = Buffer.alloc(bytes.length);
  // What cannot be read (a directory) is no image either.
  try {
    const fd = openSync(image, "r");
    try {
      readSync(fd, head, 0, bytes.length, offset);
    } finally {
      closeSync(fd);
    }
  } catch {
    head.fill(0);
  }
  if (!head.equals(Buffer.from(bytes))) {
    throw new KbackportError(`${image} is not ${what}, the kernel image ${machine.qemu} boots here`, {
      hint: imageHint(machine, release),
    });
  }
}

/** Which image to pass: Debian installs it as /boot/vmlinuz-<release>; a kernel build leaves it in its tree. */
export function imageHint(machine: VmMachine, release: string): string {
  return `use the kernel the run was built for (${release}): /boot/vmlinuz-${release} where it is installed, ${machine.image} in its build tree`;
}
