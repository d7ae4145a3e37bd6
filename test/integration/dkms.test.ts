import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DkmsPackaging } from "../../src/package/dkms/package-dkms.js";
import type { RunReport } from "../../src/report.js";
import { kbackport, kbackportJson, tempDir } from "../helpers/cli.js";
import { headers510, stockKernel510 } from "../helpers/debian.js";
import { copyHeaders, distroModules, removeDkmsPackage, run, SIGNING_CONF } from "../helpers/dkms.js";
import { MODEM_CHECKS, X86_MODULES } from "../helpers/modules.js";
import { fixtureSources } from "../helpers/upstream.js";

const RECIPE = "recipes/mhi-wwan.yaml";
const NAME = "mhi-wwan";
const PACKAGE = `${NAME}-dkms`;
const SIGNER = "kbackport DKMS test key";

/** A command's output for the CI log, then its result. */
function shown(cmd: string, args: readonly string[]) {
  const r = run(cmd, args);
  console.log(`$ ${[cmd, ...args].join(" ")}\n${r.stdout}${r.stderr}(exit ${r.status})`);
  return r;
}

describe("Debian and Ubuntu: the DKMS package of a run for bullseye's 5.10, installed with bookworm's dkms", () => {
  const out = tempDir("dkms-run");
  const kernel = stockKernel510();
  let report: RunReport;
  let pkg: DkmsPackaging & { dir: string };
  let deb: string;
  let modules: { restore(): void } | undefined;

  beforeAll(async () => {
    removeDkmsPackage(PACKAGE, NAME);
    const r = await kbackportJson(
      ["run", RECIPE, "--kernel", headers510(), "--out", out, ...fixtureSources()],
      {
        KBACKPORT_CACHE_DIR: tempDir("dkms-cache"),
      },
    );
    report = r.report;
    expect(report.errors).toEqual([]);
    expect(report.target!.release).toBe(kernel.release);
    modules = distroModules(kernel.release, kernel.modules);
    // dkms 3 signs with mok_signing_key and mok_certificate (framework.conf): a throwaway pair, named.
    const keys = tempDir("dkms-key");
    run("openssl", [
      ...["req", "-new", "-x509", "-nodes", "-days", "1", "-subj", `/CN=${SIGNER}`, "-newkey", "rsa:2048"],
      ...["-keyout", join(keys, "mok.key"), "-outform", "DER", "-out", join(keys, "mok.pub")],
    ]);
    writeFileSync(SIGNING_CONF, `mok_signing_key=${keys}/mok.key\nmok_certificate=${keys}/mok.pub\n`);
  });

  afterAll(() => {
    removeDkmsPackage(PACKAGE, NAME);
    modules?.restore();
  });

  it("refuses what is not a finished run, and a machine without dpkg-deb, with a hint", async () => {
    const empty = tempDir("dkms-empty");
    const notRun = await kbackport(["package", "dkms", empty]);
    expect(notRun.exitCode).toBe(1);
    expect(notRun.stdout).toBe(
      `error: ${empty} is not the output of a run: it has no report.json\nhint: pass the --out directory of a \`kbackport run\`, \`build\` or \`prepare\``,
    );

    const prepared = tempDir("dkms-prepare");
    await kbackport([
      "prepare",
      RECIPE,
      "--kernel",
      headers510(),
      "--components",
      "mhi",
      "--out",
      prepared,
      ...fixtureSources(),
    ]);
    const prepareOnly = await kbackport(["package", "dkms", prepared]);
    expect(prepareOnly.exitCode).toBe(1);
    expect(prepareOnly.stdout).toBe(
      `error: ${prepared} has no built modules to package\nhint: package the output of \`kbackport run\` or \`build\``,
    );

    const noDpkg = await kbackport(["package", "dkms", out, "--out", tempDir("dkms-nodpkg")], {
      PATH: "/nonexistent",
    });
    expect(noDpkg.exitCode).toBe(1);
    expect(noDpkg.stdout).toBe(
      "error: dpkg-deb is not installed: it builds the .deb\nhint: apt-get install dpkg (on other systems, install their dpkg package)",
    );
  });

  it("packages the run: a DKMS source tree with one module record per module, and the same .deb bytes each time", async () => {
    const r = await kbackport(["package", "dkms", out, "--json"]);
    expect(r.exitCode).toBe(0);
    pkg = JSON.parse(r.stdout) as DkmsPackaging & { dir: string };
    deb = join(pkg.dir, pkg.deb);
    expect(pkg).toMatchObject({
      name: NAME,
      package: PACKAGE,
      deb: `${PACKAGE}_${pkg.version}_all.deb`,
      release: kernel.release,
      kernels: "^5\\.10\\.",
      modules: X86_MODULES,
    });
    // The version is the backport's own, from its pins: the day and id of the newest.
    const newest = report.sources.reduce((a, b) => (b.committed! > a.committed! ? b : a));
    expect(pkg.version).toBe(
      `${new Date(newest.committed! * 1000).toISOString().slice(0, 10).replaceAll("-", "")}.${newest.commit.slice(0, 7)}`,
    );
    expect(pkg.notices).toEqual([
      expect.stringMatching(/will no longer load with the backport's: ath11k_pci/),
    ]);

    const conf = readFileSync(join(pkg.dir, pkg.source, "dkms.conf"), "utf8");
    console.log(`${pkg.source}/dkms.conf:\n${conf}`);
    X86_MODULES.forEach((m, i) => {
      const dir = report.modules.find((b) => b.name === m)!.dir;
      expect(conf).toContain(
        `BUILT_MODULE_NAME[${i}]="${m}"\nBUILT_MODULE_LOCATION[${i}]="${dir}/"\nDEST_MODULE_LOCATION[${i}]="/updates"\n`,
      );
    });
    expect(conf).toContain('BUILD_EXCLUSIVE_KERNEL="^5\\.10\\."\nAUTOINSTALL="yes"\n');
    expect(conf.match(/^MAKE\[/gm)).toHaveLength(1);
    const control = shown("dpkg-deb", ["--field", deb]).stdout;
    expect(control).toContain(`Package: ${PACKAGE}\nVersion: ${pkg.version}\nArchitecture: all\n`);
    expect(control).toContain("Depends: dkms (>= 2.1.0.0)\n");
    const files = run("dpkg-deb", ["--contents", deb]).stdout;
    for (const f of [...report.treeFiles, "dkms.conf", "kbackport/check-features.sh"])
      expect(files).toContain(` ./usr/src/${pkg.source}/${f}\n`);
    expect(files).toContain(`./usr/share/dkms/modules_to_force_install/${NAME}\n`);

    const again = await kbackport(["package", "dkms", out, "--out", tempDir("dkms-again"), "--json"]);
    const second = JSON.parse(again.stdout) as DkmsPackaging & { dir: string };
    expect(readFileSync(join(second.dir, second.deb))).toEqual(readFileSync(deb));
  });

  it("installs with dpkg -i: dkms builds for the 5.10 kernel only, signs the modules and puts them before the kernel's own", () => {
    expect(run("modinfo", ["-k", kernel.release, "-n", "mhi"]).stdout).toMatch(
      /\/kernel\/drivers\/bus\/mhi\/.*mhi\.ko\n$/,
    );
    const install = shown("dpkg", ["-i", deb]);
    expect(install.status).toBe(0);
    // dkms's common.postinst speaks on stderr (it sources debconf's confmodule).
    const said = install.stdout + install.stderr;
    expect(said).toContain(`${PACKAGE}: ${pkg.notices[0]}\n`);
    expect(said).toContain("Forcing version override of mhi-wwan");
    // bookworm's 6.1 headers are installed too: BUILD_EXCLUSIVE_KERNEL leaves that kernel out.
    expect(said).toMatch(/Building initial module for 6\.1\.0-\d+-amd64\n(.|\n)*Skipped\./);
    const status = shown("dkms", ["status", "-m", NAME]);
    expect(status.stdout).toBe(`${NAME}/${pkg.version}, ${kernel.release}, x86_64: installed\n`);

    for (const m of X86_MODULES) {
      const field = (f: string, file = m) =>
        run("modinfo", ["-k", kernel.release, "-F", f, file]).stdout.trim();
      const lines = ["filename", "vermagic", "signer", "sig_hashalgo"].map((f) => `${f}: ${field(f)}`);
      console.log(`modinfo -k ${kernel.release} ${m}\n  ${lines.join("\n  ")}`);
      expect(field("filename")).toBe(`/lib/modules/${kernel.release}/updates/dkms/${m}.ko`);
      expect(field("vermagic")).toBe(field("vermagic", join(out, "modules", `${m}.ko`)));
      expect(field("signer")).toBe(SIGNER);
      expect(field("sig_hashalgo")).toBe("sha256");
    }
  });

  it("builds for another kernel of the series whose headers agree, and refuses, before the compiler, one that lacks an API the run assumed present", () => {
    const dkms = (release: string, headers: string) =>
      shown("dkms", ["build", `${NAME}/${pkg.version}`, "-k", release, "--kernelsourcedir", headers]);
    const agreeing = dkms("5.10.0-998-amd64", copyHeaders(headers510(), tempDir("dkms-same")));
    expect(agreeing.status).toBe(0);
    expect(agreeing.stdout).toMatch(
      new RegExp(`fit ${NAME} ${pkg.version}: its \\d+ kernel APIs are as on Linux ${kernel.release}\n`),
    );
    expect(run("dkms", ["status", "-m", NAME, "-k", "5.10.0-998-amd64"]).stdout).toBe(
      `${NAME}/${pkg.version}, 5.10.0-998-amd64, x86_64: built\n`,
    );
    expect(run("dkms", ["unbuild", `${NAME}/${pkg.version}`, "-k", "5.10.0-998-amd64"]).status).toBe(0);

    expect(report.target!.features.find((f) => f.id === "vcalloc")).toMatchObject({ present: true });
    const older = copyHeaders(headers510(), tempDir("dkms-older"), {
      header: "include/linux/vmalloc.h",
      drop: /\bvcalloc\b/,
    });
    const refused = dkms("5.10.0-999-amd64", older);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      `kbackport: ${NAME} ${pkg.version} was made for Linux ${kernel.release} and does not fit the kernel headers in ${older}:\n` +
        "  vcalloc: ",
    );
    expect(refused.stderr).toMatch(
      / {2}vcalloc: \S+\/common\/include\/linux\/vmalloc\.h lacks it; the backport uses it/,
    );
    const log = readFileSync(`/var/lib/dkms/${NAME}/${pkg.version}/build/make.log`, "utf8");
    expect(log).toMatch(/Kbuild:1: \*\*\* kbackport: .* vcalloc; see the pre_build output\. {2}Stop\./);
    expect(log).not.toMatch(/error:/);
    expect(run("dkms", ["status", "-m", NAME]).stdout).toBe(
      `${NAME}/${pkg.version}, ${kernel.release}, x86_64: installed\n`,
    );
  });

  it("the modules dkms installed load in the VM on Debian's stock 5.10 kernel and move data", async () => {
    // The run with the modules dkms built and installed in place of its own (report.json records their
    // digests, as a run that built them would): the VM check loads exactly those.
    const installed = tempDir("dkms-installed");
    cpSync(out, installed, { recursive: true });
    const copy = JSON.parse(readFileSync(join(installed, "report.json"), "utf8")) as RunReport;
    for (const m of copy.modules) {
      const ko = readFileSync(`/lib/modules/${kernel.release}/updates/dkms/${m.name}.ko`);
      writeFileSync(join(installed, m.path), ko);
      m.sha256 = createHash("sha256").update(ko).digest("hex");
    }
    writeFileSync(join(installed, "report.json"), JSON.stringify(copy, null, 2));
    const r = await kbackport([
      ...["validate", installed, "--vm", "--vm-kernel", kernel.vmlinuz, "--vm-modules", kernel.modules],
      ...["--vm-timeout", "300", "--json"],
    ]);
    const result = JSON.parse(r.stdout) as {
      ok: boolean;
      vm: {
        modules: { name: string; loaded: boolean }[];
        checks: { id: string; ok: boolean; detail?: string }[];
      };
    };
    console.log(
      result.vm.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.id} ${c.detail ?? ""}`).join("\n"),
    );
    expect(result.vm.modules).toEqual(
      [...X86_MODULES, "mhi_sim"].map((name) => expect.objectContaining({ name, loaded: true })),
    );
    for (const id of [...MODEM_CHECKS, "modules-unload", "console-clean"])
      expect(result.vm.checks.find((c) => c.id === id)).toMatchObject({ ok: true });
    expect(result.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("removing the package takes the modules out of every kernel and gives the kernel's own mhi back", () => {
    const remove = shown("dpkg", ["-r", PACKAGE]);
    expect(remove.status).toBe(0);
    expect(run("dkms", ["status", "-m", NAME]).stdout).toBe("");
    expect(shown("modinfo", ["-k", kernel.release, "-n", "mhi"]).stdout).toMatch(
      new RegExp(`^/lib/modules/${kernel.release}/kernel/drivers/bus/mhi/.*mhi\\.ko\\n$`),
    );
    for (const m of X86_MODULES.filter((m) => m !== "mhi"))
      expect(run("modinfo", ["-k", kernel.release, "-n", m]).status).not.toBe(0);
    expect(run("ls", [`/usr/src/${pkg.source}`, `/var/lib/dkms/${NAME}`]).status).not.toBe(0);
  });
});
