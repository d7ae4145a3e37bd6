import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSigningKey, usignSignature } from "../../src/package/openwrt/usign.js";
import { tempDir } from "../helpers/cli.js";

/** A key pair made by signify-openbsd, whose format usign shares. */
function keyPair() {
  const dir = tempDir("usign");
  execFileSync("signify-openbsd", [
    "-G",
    "-n",
    "-c",
    "test key",
    "-p",
    join(dir, "key.pub"),
    "-s",
    join(dir, "key.sec"),
  ]);
  return { dir, pub: join(dir, "key.pub"), sec: join(dir, "key.sec") };
}

describe("usign signatures of the feed index", () => {
  it("verify with signify-openbsd, and fail for another message", () => {
    const { dir, pub, sec } = keyPair();
    const message = Buffer.from("Package: kmod-mhi-bus\nVersion: 1\n\n");
    writeFileSync(join(dir, "Packages"), message);
    const sig = usignSignature(readSigningKey(sec), message);
    expect(sig).toMatch(/^untrusted comment: signed by key [0-9a-f]{16}\n[A-Za-z0-9+/]+=*\n$/);
    writeFileSync(join(dir, "Packages.sig"), sig);
    const verify = () =>
      execFileSync(
        "signify-openbsd",
        ["-V", "-p", pub, "-x", join(dir, "Packages.sig"), "-m", join(dir, "Packages")],
        {
          stdio: "pipe",
        },
      ).toString();
    expect(verify()).toContain("Signature Verified");
    writeFileSync(join(dir, "Packages"), Buffer.concat([message, Buffer.from("x")]));
    expect(verify).toThrow();
  });

  it("need an unencrypted usign key and say how to make one", () => {
    const dir = tempDir("usign-bad");
    writeFileSync(join(dir, "not-a-key"), "hello\n");
    expect(() => readSigningKey(join(dir, "not-a-key"))).toThrow(
      expect.objectContaining({
        message: `${join(dir, "not-a-key")} is not a usign secret key: expected an 'untrusted comment:' line and 104 bytes of base64`,
        hint: expect.stringContaining("usign -G -s key-build -p key-build.pub"),
      }),
    );
    const { sec } = keyPair();
    const lines = execFileSync("cat", [sec]).toString().split("\n");
    const raw = Buffer.from(lines[1]!, "base64");
    raw.writeUInt32BE(42, 4);
    writeFileSync(join(dir, "protected"), `${lines[0]}\n${raw.toString("base64")}\n`);
    expect(() => readSigningKey(join(dir, "protected"))).toThrow("it is password-protected");
    raw.writeUInt32BE(0, 4);
    raw[60] = raw[60]! ^ 1;
    writeFileSync(join(dir, "damaged"), `${lines[0]}\n${raw.toString("base64")}\n`);
    expect(() => readSigningKey(join(dir, "damaged"))).toThrow("its checksum does not match");
  });
});
