import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TOOL_PACKAGES } from "../../src/build/toolchain.js";
import { parseConfig, readKernelTarget, toolchainArch } from "../../src/kernel/target.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The files readKernelTarget reads from a configured tree, with this .config. */
function configuredTree(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kbackport-target-"));
  dirs.push(dir);
  const files: Record<string, string> = {
    Makefile: "VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 262\n",
    ".config": config,
    "include/generated/autoconf.h": "",
    "include/config/kernel.release": "5.10.262\n",
    "scripts/mod/modpost": "",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("--kernel", () => {
  it("says a file is a file, and a missing directory is missing", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kbackport-kernel-file-")), "vmlinuz");
    writeFileSync(file, "");
    expect(() => readKernelTarget(file)).toThrow(`--kernel ${file} is a file, not a kernel directory`);
    expect(() => readKernelTarget(`${file}-none`)).toThrow(`kernel directory ${file}-none does not exist`);
  });
});

describe("cross toolchain of a target", () => {
  it("picks Debian's prefix from the .config: ARCH, then endianness and word size for MIPS", () => {
    const cases: [string, string][] = [
      ["CONFIG_ARM=y\nCONFIG_CPU_V7=y\n", "arm-linux-gnueabihf-"],
      ["CONFIG_MIPS=y\nCONFIG_CPU_BIG_ENDIAN=y\nCONFIG_32BIT=y\n", "mips-linux-gnu-"],
      ["CONFIG_MIPS=y\nCONFIG_CPU_LITTLE_ENDIAN=y\nCONFIG_32BIT=y\n", "mipsel-linux-gnu-"],
      ["CONFIG_MIPS=y\nCONFIG_CPU_BIG_ENDIAN=y\nCONFIG_64BIT=y\n", "mips64-linux-gnuabi64-"],
      ["CONFIG_MIPS=y\nCONFIG_CPU_LITTLE_ENDIAN=y\nCONFIG_64BIT=y\n", "mips64el-linux-gnuabi64-"],
    ];
    for (const [config, prefix] of cases) {
      const target = readKernelTarget(configuredTree(config));
      expect(target.crossCompile, config).toBe(prefix);
      expect(target.compiler, config).toBe(`${prefix}gcc`);
    }
  });

  it("keeps --cross-compile and --arch over what the .config says", () => {
    const tree = configuredTree("CONFIG_MIPS=y\nCONFIG_CPU_LITTLE_ENDIAN=y\n");
    expect(readKernelTarget(tree, { crossCompile: "mipsel-openwrt-linux-musl-" }).crossCompile).toBe(
      "mipsel-openwrt-linux-musl-",
    );
    expect(readKernelTarget(tree, { arch: "arm" })).toMatchObject({
      arch: "arm",
      crossCompile: "arm-linux-gnueabihf-",
    });
  });

  it("names MIPS variants as Debian's toolchains do", () => {
    const config = (...lines: string[]) => new Map(lines.map((l) => [l, "y"]));
    expect(toolchainArch("mips", config())).toBe("mips");
    expect(toolchainArch("mips", config("CONFIG_64BIT", "CONFIG_CPU_LITTLE_ENDIAN"))).toBe("mips64el");
    expect(toolchainArch("arm", config("CONFIG_CPU_LITTLE_ENDIAN"))).toBe("arm");
  });

  it("names the Debian package of a cross compiler after its prefix", () => {
    expect(TOOL_PACKAGES["arm-linux-gnueabihf-gcc"]).toBe("gcc-arm-linux-gnueabihf");
    expect(TOOL_PACKAGES["mips64el-linux-gnuabi64-gcc"]).toBe("gcc-mips64el-linux-gnuabi64");
    expect(TOOL_PACKAGES["x86_64-linux-gnu-gcc"]).toBe("gcc-x86-64-linux-gnu");
  });
});

describe(".config", () => {
  it("gives each set symbol its value, strings unquoted, and nothing for comments", () => {
    const config = parseConfig(
      '# CONFIG_B is not set\nCONFIG_A=y\nCONFIG_S="a \\"b\\""\n CONFIG_X=y\nCONFIG_Q="\nCONFIG_N=0x10\nCONFIG_A=m',
    );
    expect([...config]).toEqual([
      ["CONFIG_A", "m"],
      ["CONFIG_S", 'a \\"b\\"'],
      ["CONFIG_Q", '"'],
      ["CONFIG_N", "0x10"],
    ]);
  });
});
