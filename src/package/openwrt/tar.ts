import { spawnSync } from "node:child_process";
import { KbackportError } from "../../errors.js";

/** One entry of an archive: a directory (no data) or a regular file. */
export interface TarEntry {
  /** "./lib/modules/5.10.221/mhi.ko", "./lib/" (directories end with a slash). */
  name: string;
  mode: number;
  data?: Uint8Array;
}

export interface TarOptions {
  mtime: number;
}

const BLOCK = 512;
const RECORD = 20 * BLOCK;

/**
 * A GNU-format tar (magic "ustar  \0"), as `tar --format=gnu` writes it: the format OpenWrt's ipkg-build
 * uses and opkg reads (opkg has no pax support). Entries are written in the order given, owned by 0:0
 * without user or group names (tar --numeric-owner),
 * padded to tar's 10240-byte record. Names longer than the header's 100 bytes are refused: every
 * name kbackport packs is short.
 */
export function gnuTar(entries: readonly TarEntry[], opts: TarOptions): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? new Uint8Array();
    blocks.push(header(e, data.length, opts));
    if (data.length > 0) {
      blocks.push(Buffer.from(data));
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  const size = blocks.reduce((n, b) => n + b.length, 0);
  blocks.push(Buffer.alloc((RECORD - (size % RECORD)) % RECORD));
  return Buffer.concat(blocks);
}

function header(e: TarEntry, size: number, opts: TarOptions): Buffer {
  const h = Buffer.alloc(BLOCK);
  const name = Buffer.from(e.name, "utf8");
  if (name.length > 100) throw new KbackportError(`archive entry name too long for a tar header: ${e.name}`);
  name.copy(h, 0);
  octal(h, 100, 8, e.mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, opts.mtime);
  h.fill(" ", 148, 156);
  h.write(e.name.endsWith("/") ? "5" : "0", 156, "latin1");
  h.write("ustar  \0", 257, "latin1");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

/** A zero-padded octal number filling the field but its final NUL, as GNU tar writes them. */
function octal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, "latin1");
}

/**
 * `gzip -n` (no name, no time stamp) at gzip's default level, or `-9`: GNU gzip itself, as OpenWrt's
 * scripts/ipkg-build and its feed index use it, so that an archive equals theirs byte for byte and no
 * zlib version changes the bytes.
 */
export function gzip(data: Uint8Array, level = 6): Buffer {
  const r = spawnSync("gzip", ["-n", `-${level}`], { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    throw new KbackportError(`gzip failed: ${r.error?.message ?? r.stderr.toString().trim()}`, {
      hint: "install it: apt-get install gzip",
    });
  }
  return r.stdout;
}
