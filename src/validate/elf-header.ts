/** What a target's loadable modules must be: its machine (any of), and its byte order. */
export interface ElfExpectation {
  machines: readonly ElfMachine[];
  little: boolean;
  what: string;
}

/** e_machine values of the architectures kbackport builds for (the ELF gABI's registry, include/uapi/linux/elf-em.h). */
const MACHINES = { i386: 3, mips: 8, arm: 40, "x86-64": 62, aarch64: 183 } as const;
export type ElfMachine = keyof typeof MACHINES;

const ET_REL = 1;

/**
 * Why the bytes are not a kernel module for the expected target, or undefined when they are: the ELF
 * header's magic, class, byte order, type (relocatable) and machine.
 */
export function elfMismatch(bytes: Buffer, expected: ElfExpectation): string | undefined {
  if (bytes.length < 52 || bytes.readUInt32BE(0) !== 0x7f454c46) return "not an ELF file";
  const elfClass = bytes[4];
  const data = bytes[5];
  if (elfClass !== 1 && elfClass !== 2) return `ELF class ${elfClass} is neither 32- nor 64-bit`;
  if (data !== 1 && data !== 2) return `ELF byte order ${data} is unknown`;
  const little = data === 1;
  if (elfClass === 2 && bytes.length < 64) return "truncated ELF header";
  const type = little ? bytes.readUInt16LE(16) : bytes.readUInt16BE(16);
  const machine = little ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18);
  if (type !== ET_REL) return `ELF type ${type}, not a relocatable object (a module)`;
  if (little !== expected.little)
    return `${little ? "little" : "big"}-endian, the target (${expected.what}) is ${expected.little ? "little" : "big"}-endian`;
  if (expected.machines.length && !expected.machines.some((m) => MACHINES[m] === machine))
    return `ELF machine ${machine}, not ${expected.machines.join(" or ")} for the target (${expected.what})`;
  return undefined;
}
