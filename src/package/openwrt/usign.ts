import { createHash, createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { KbackportError } from "../../errors.js";

/** An Ed25519 secret key in usign's (and signify's) format, as OpenWrt's key-build. */
export interface SigningKey {
  fingerprint: Buffer;
  seed: Buffer;
}

// usign main.c: struct seckey { pkalg[2] "Ed", kdfalg[2] "BK", kdfrounds, salt[16], checksum[8],
// fingerprint[8], seckey[64] } = 104 bytes; struct sig { pkalg[2], fingerprint[8], sig[64] } = 74 bytes.
const SECKEY_SIZE = 104;

/** Reads a usign/signify secret key file: an "untrusted comment:" line, then the key in base64. */
export function readSigningKey(file: string): SigningKey {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new KbackportError(`cannot read the signing key ${file}`, { cause: err });
  }
  const lines = text.split("\n");
  const raw = lines[0]?.startsWith("untrusted comment: ") ? Buffer.from(lines[1] ?? "", "base64") : undefined;
  const bad = (why: string) =>
    new KbackportError(`${file} is not a usign secret key: ${why}`, {
      hint: "make one with `usign -G -s key-build -p key-build.pub` (OpenWrt's key-build) or `signify-openbsd -G -n -s KEY.sec -p KEY.pub`",
    });
  if (!raw || raw.length !== SECKEY_SIZE)
    throw bad("expected an 'untrusted comment:' line and 104 bytes of base64");
  if (raw.subarray(0, 2).toString("latin1") !== "Ed" || raw.subarray(2, 4).toString("latin1") !== "BK")
    throw bad("its algorithms are not Ed25519/BK");
  if (raw.readUInt32BE(4) !== 0) throw bad("it is password-protected, which usign does not support either");
  const checksum = raw.subarray(24, 32);
  const secret = raw.subarray(40, 104);
  if (!createHash("sha512").update(secret).digest().subarray(0, 8).equals(checksum))
    throw bad("its checksum does not match (a damaged file)");
  return { fingerprint: Buffer.from(raw.subarray(32, 40)), seed: Buffer.from(secret.subarray(0, 32)) };
}

/** A usign signature file for `message` (Packages.sig): what `usign -S -m Packages -s key` writes. */
export function usignSignature(key: SigningKey, message: Uint8Array): string {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), key.seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const signature = sign(null, message, privateKey);
  const sig = Buffer.concat([Buffer.from("Ed", "latin1"), key.fingerprint, signature]);
  return `untrusted comment: signed by key ${key.fingerprint.toString("hex")}\n${sig.toString("base64")}\n`;
}
