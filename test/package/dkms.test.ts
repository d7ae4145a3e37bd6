import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_APIS } from "../../src/kernel/api.js";
import { probeFeatures } from "../../src/kernel/features.js";
import type { KernelTarget } from "../../src/kernel/target.js";
import { checkScript } from "../../src/package/dkms/check-script.js";
import { controlText, postinst, prerm } from "../../src/package/dkms/deb.js";
import { dkmsConf } from "../../src/package/dkms/dkms-conf.js";
import { grepPattern } from "../../src/package/dkms/grep-pattern.js";
import { tempDir } from "../helpers/cli.js";

/** A headers directory with only the given files: a Makefile that includes the "common" one, as Debian's. */
function headersDir(files: Record<string, string>): string {
  const root = tempDir("dkms-headers");
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write("amd64/Makefile", `include ${root}/common/Makefile\n`);
  write("common/Makefile", "VERSION = 5\nPATCHLEVEL = 10\n");
  for (const [path, text] of Object.entries(files)) write(`common/${path}`, text);
  return join(root, "amd64");
}

function script(features: Parameters<typeof checkScript>[0]["features"]): string {
  const file = join(tempDir("dkms-check"), "check-features.sh");
  writeFileSync(
    file,
    checkScript({
      name: "mhi-wwan",
      version: "20000102.4ceb3c7",
      recipe: "mhi-wwan.yaml",
      release: "5.10.0-46-amd64",
      features,
    }),
  );
  return file;
}

const probeOf = async (dir: string) => [
  ...(
    await probeFeatures({ dir, sourceDir: join(dir, "../common"), version: "5.10.0" } as KernelTarget)
  ).values(),
];

describe("the DKMS package's feature check", () => {
  it("takes every pattern of the API knowledge base as grep -E reads it", () => {
    for (const api of KERNEL_APIS) expect(grepPattern(api.pattern)).toBe(api.pattern.source);
  });

  it("refuses the pattern forms on which grep -E and JavaScript differ", () => {
    for (const [pattern, why] of [
      [/a(?=b)/, "a (? group"],
      [/a*?b/, "lazy repetition"],
      [/\d+/, "\\d"],
      [/a.b/, "'.'"],
      [/a{2}/, "a bare brace"],
      [/[\s;]/, "an escape inside [\\s;]"],
      [/a/i, "flags i"],
    ] as const)
      expect(() => grepPattern(pattern)).toThrow(why);
  });

  it("blanks comments as the probe does, keeping string and character literals whole", async () => {
    // Each API's name where the probe must not see it (comments) or must (code after a literal holding
    // a comment opener).
    const dir = headersDir({
      "include/linux/vmalloc.h":
        "/* extern void *vcalloc(size_t n,\n   size_t size); */\nextern void *vmalloc(unsigned long size);\n",
      "include/linux/delay.h":
        'static const char s[] = "/*";\nstatic inline void fsleep(unsigned long usecs) { }\n// */\n',
      "include/linux/random.h": "char c = '\"'; // get_random_u32_inclusive(\n",
      "include/linux/netdevice.h": "int x; /* a */ int __netif_rx(struct sk_buff *skb); /* b\n */\n",
      "include/linux/mod_devicetable.h": "struct mhi_device_id {\n\tconst char chan[32];\n};\n",
    });
    const features = await probeOf(dir);
    const found = execFileSync("sh", [script(features), "--probe", dir], { encoding: "utf8" });
    expect(found).toBe(features.map((f) => `${f.id} ${f.present ? "present" : "missing"}\n`).join(""));
    expect(found).toContain("fsleep present\n");
    expect(found).toContain("vcalloc missing\n");
    expect(found).toContain("get_random_u32_inclusive missing\n");
    expect(found).toContain("__netif_rx present\n");
  });

  it("refuses headers that differ from what the run assumed, naming each API and header, and turns the build copy's Kbuild into the refusal", async () => {
    const made = headersDir({ "include/linux/vmalloc.h": "extern void *vcalloc(size_t n, size_t size);\n" });
    const features = await probeOf(made);
    const check = script(features);
    expect(spawnSync("sh", [check, made], { encoding: "utf8" }).stdout).toMatch(
      /fit mhi-wwan 20000102\.4ceb3c7: its 19 kernel APIs are as on Linux 5\.10\.0-46-amd64/,
    );

    const older = headersDir({ "include/linux/vmalloc.h": "extern void *vmalloc(unsigned long size);\n" });
    const build = tempDir("dkms-build");
    writeFileSync(join(build, "Kbuild"), "obj-m += drivers/\n");
    const r = spawnSync("sh", [check, "--dkms", older], { cwd: build, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `kbackport: mhi-wwan 20000102.4ceb3c7 was made for Linux 5.10.0-46-amd64 and does not fit the kernel headers in ${older}:\n` +
        `  vcalloc: ${join(older, "../common")}/include/linux/vmalloc.h lacks it; the backport uses it, as Linux 5.10.0-46-amd64 has it (include/linux/vmalloc.h:1: extern void *vcalloc(size_t n, size_t size);)\n`,
    );
    expect(readFileSync(join(build, "Kbuild"), "utf8")).toBe(
      `$(error kbackport: mhi-wwan 20000102.4ceb3c7 was made for Linux 5.10.0-46-amd64 and does not fit the kernel headers in ${older}: vcalloc; see the pre_build output)\n`,
    );

    // An API the run assumed missing that the headers have is refused too; one it was told to assume
    // missing (--assume-missing) is not checked.
    const newer = headersDir({
      "include/linux/vmalloc.h": "extern void *vcalloc(size_t n, size_t size);\n",
      "include/linux/delay.h": "static inline void fsleep(unsigned long usecs) { }\n",
      "include/linux/netdevice.h": "int __netif_rx(struct sk_buff *skb);\n",
    });
    const assumed = features.map((f) => (f.id === "__netif_rx" ? { ...f, assumedMissing: true } : f));
    const n = spawnSync("sh", [script(assumed), newer], { encoding: "utf8" });
    expect(n.status).toBe(1);
    expect(n.stderr).toContain(
      `  fsleep: ${join(newer, "../common")}/include/linux/delay.h has it; the backport was made for a kernel without it (Linux 5.10.0-46-amd64: none of include/linux/delay.h exist)\n`,
    );
    expect(n.stderr).not.toContain("__netif_rx");
  });
});

describe("dkms.conf", () => {
  const conf = dkmsConf({
    name: "mhi-wwan",
    version: "20000102.4ceb3c7",
    release: "5.10.0-46-amd64",
    configArgs: ["CONFIG_MHI_BUS=m", "CONFIG_MHI_BUS_DEBUG="],
    modules: [
      { name: "mhi", dir: "drivers/bus/mhi/host" },
      { name: "mhi_net", dir: "drivers/net" },
    ],
    kernelVersion: "5.10.262",
  });

  it("reads in bash as dkms reads it: one module record per module, the series and the check", () => {
    const dir = tempDir("dkms-conf");
    writeFileSync(join(dir, "dkms.conf"), conf);
    const read = execFileSync(
      "bash",
      [
        "-c",
        `kernel_source_dir=/lib/modules/5.10.0-46-amd64/build dkms_tree=/var/lib/dkms; . ./dkms.conf
         printf '%s\\n' "$PACKAGE_NAME $PACKAGE_VERSION" "\${MAKE[0]}" "\${BUILT_MODULE_NAME[*]}" \\
           "\${BUILT_MODULE_LOCATION[*]}" "\${DEST_MODULE_LOCATION[*]}" "$PRE_BUILD" "$AUTOINSTALL"
         [[ 5.10.0-46-amd64 =~ $BUILD_EXCLUSIVE_KERNEL ]] && [[ ! 5.15.0-1-amd64 =~ $BUILD_EXCLUSIVE_KERNEL ]] && echo series`,
      ],
      { cwd: dir, encoding: "utf8" },
    );
    expect(read.split("\n")).toEqual([
      "mhi-wwan 20000102.4ceb3c7",
      "make -C /lib/modules/5.10.0-46-amd64/build M=/var/lib/dkms/mhi-wwan/20000102.4ceb3c7/build CONFIG_MHI_BUS=m CONFIG_MHI_BUS_DEBUG= modules",
      "mhi mhi_net",
      "drivers/bus/mhi/host/ drivers/net/",
      "/updates /updates",
      "kbackport/check-features.sh --dkms /lib/modules/5.10.0-46-amd64/build",
      "yes",
      "series",
      "",
    ]);
  });
});

describe("the Debian package's control file and maintainer scripts", () => {
  it("are dh_dkms's snippets with the module's name and version, the notice first", () => {
    const post = postinst("mhi-wwan", "20000102.4ceb3c7", ["on Linux 5.10.0-46-amd64, the mhi is replaced"]);
    expect(post).toMatch(
      /^#!\/bin\/sh\nset -e\nif \[ "\$1" = configure \]; then\n\tcat <<'NOTICE'\nmhi-wwan-dkms: on Linux/,
    );
    expect(post).toContain(
      "DKMS_NAME=mhi-wwan\nDKMS_PACKAGE_NAME=$DKMS_NAME-dkms\nDKMS_VERSION=20000102.4ceb3c7\n",
    );
    expect(post).toContain('$DKMS_POSTINST $DKMS_NAME $DKMS_VERSION /usr/share/$DKMS_PACKAGE_NAME "" $2');
    const pre = prerm("mhi-wwan", "20000102.4ceb3c7");
    expect(pre).toContain("dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all");
    for (const text of [post, pre]) expect(spawnSync("sh", ["-n"], { input: text }).status).toBe(0);
  });

  it("folds the description into lines of at most 80 characters, paragraphs apart", () => {
    const text = controlText({
      package: "mhi-wwan-dkms",
      version: "20000102.4ceb3c7",
      maintainer: "A B <a@b.example>",
      installedSize: 454,
      depends: ["dkms (>= 2.1.0.0)"],
      section: "kernel",
      priority: "optional",
      description: ["synopsis", "word ".repeat(40), "second"],
    });
    const lines = text.split("\n");
    expect(lines.slice(0, 9)).toEqual([
      "Package: mhi-wwan-dkms",
      "Version: 20000102.4ceb3c7",
      "Architecture: all",
      "Maintainer: A B <a@b.example>",
      "Installed-Size: 454",
      "Depends: dkms (>= 2.1.0.0)",
      "Section: kernel",
      "Priority: optional",
      "Description: synopsis",
    ]);
    expect(lines.slice(9).every((l) => l === "" || (l.startsWith(" ") && l.length <= 80))).toBe(true);
    expect(lines.slice(-3)).toEqual([" .", " second", ""]);
  });
});
