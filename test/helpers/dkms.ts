import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { isAbsolute, join } from "node:path";

/**
 * What the DKMS test changes on the machine is named so that a later run finds what an interrupted one
 * left: this dkms configuration (the throwaway signing key) and the marker of a distribution module set
 * it laid down.
 */
export const SIGNING_CONF = "/etc/dkms/framework.conf.d/kbackport-test.conf";
const MODULES_MARK = ".kbackport-test-modules";

export interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, env: { ...process.env, LC_ALL: "C" } });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The package removed (purged) and dkms's modules of that name with it, and the test's dkms configuration. */
export function removeDkmsPackage(pkg: string, module: string): void {
  const status = run("dpkg-query", ["-W", "-f=${db:Status-Status}", pkg]);
  if (status.status === 0 && status.stdout !== "not-installed") run("dpkg", ["--purge", pkg]);
  for (const line of run("dkms", ["status", "-m", module]).stdout.split("\n")) {
    const version = new RegExp(`^${module}/([^,]+),`).exec(line)?.[1];
    if (version) run("dkms", ["remove", `${module}/${version}`, "--all"]);
  }
  rmSync(SIGNING_CONF, { force: true });
}

/**
 * The distribution's own modules of a kernel in /lib/modules/<release>, as its linux-image package installs
 * them: this machine has bullseye's 5.10 headers (which give /lib/modules/<release> its build link) but not
 * that kernel. They are copied from the unpacked package (`modules`: its lib/modules/<release>) unless the
 * package is installed; `restore` takes away everything the directory did not hold before (the copies and
 * what depmod and dkms added), as does the next call after an interrupted run.
 */
export function distroModules(release: string, modules: string): { restore(): void } {
  const lib = join("/lib/modules", release);
  const mark = join(lib, MODULES_MARK);
  const restore = () => {
    if (!existsSync(mark)) return;
    const before = new Set(JSON.parse(readFileSync(mark, "utf8")) as string[]);
    for (const entry of readdirSync(lib))
      if (!before.has(entry) && entry !== MODULES_MARK)
        rmSync(join(lib, entry), { recursive: true, force: true });
    rmSync(mark);
  };
  restore();
  if (existsSync(join(lib, "kernel"))) return { restore: () => undefined };
  writeFileSync(mark, JSON.stringify(readdirSync(lib)));
  for (const entry of readdirSync(modules)) {
    if (!existsSync(join(lib, entry))) cpSync(join(modules, entry), join(lib, entry), { recursive: true });
  }
  execFileSync("depmod", ["-a", release]);
  return { restore };
}

/**
 * A copy of Debian's headers for one kernel (the -amd64 directory, and the -common one its Makefile
 * includes as links), as another point release of the series would install them; with `lacking`, the
 * header there lacks the lines matching `drop`: a point release without that API.
 */
export function copyHeaders(
  headers: string,
  dir: string,
  lacking?: { header: string; drop: RegExp },
): string {
  const include = /^include\s+(\S+)\/Makefile\s*$/m.exec(readFileSync(join(headers, "Makefile"), "utf8"));
  if (!include) throw new Error(`${headers}/Makefile includes no common headers`);
  const common = include[1]!;
  const arch = join(dir, "arch-headers");
  cpSync(headers, arch, { recursive: true, verbatimSymlinks: true });
  // Its links to Debian's linux-kbuild are relative to /usr/src.
  for (const entry of readdirSync(arch)) {
    const path = join(arch, entry);
    if (lstatSync(path).isSymbolicLink() && !isAbsolute(readlinkSync(path))) {
      const target = realpathSync(join(headers, entry));
      rmSync(path);
      symlinkSync(target, path);
    }
  }
  execFileSync("cp", ["-as", common, join(dir, "common")]);
  writeFileSync(join(arch, "Makefile"), `include ${join(dir, "common")}/Makefile\n`);
  if (lacking) {
    const text = readFileSync(join(common, lacking.header), "utf8");
    rmSync(join(dir, "common", lacking.header));
    writeFileSync(
      join(dir, "common", lacking.header),
      text
        .split("\n")
        .filter((l) => !lacking.drop.test(l))
        .join("\n"),
    );
  }
  return arch;
}
