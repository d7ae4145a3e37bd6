/** The first 64 bytes of a relocatable ELF object (a module, as far as a header says): what readers check. */
export function elfHeader(opts: {
  machine: number;
  little?: boolean;
  type?: number;
  elfClass?: number;
}): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = opts.elfClass ?? 2;
  const little = opts.little ?? true;
  b[5] = little ? 1 : 2;
  b[6] = 1;
  const u16 = (v: number, at: number) => (little ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u16(opts.type ?? 1, 16);
  u16(opts.machine, 18);
  return b;
}
