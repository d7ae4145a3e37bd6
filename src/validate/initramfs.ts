import { lstatSync, readlinkSync } from "node:fs";
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { KbackportError } from "../errors.js";
import type { RuntimeFact } from "../model/runtime.js";
import { guestHelpers, kernelLogScript, type GuestCheck } from "./data-path.js";

export interface VmModule {
  name: string;
  path: string;
  /** Module parameters for insmod (name=value ...). */
  params?: string;
}

/** Lines the guest prints on its serial console; the host reads nothing else. */
export const MARK = { load: "KBACKPORT-LOAD", check: "KBACKPORT-CHECK", end: "KBACKPORT-END" } as const;

/** Where iproute2's ip goes in the guest: busybox's own `ip` in /bin cannot add WWAN links. */
export const GUEST_IP = "/sbin/ip";

/** Where Debian's busybox-static installs busybox, in the guest's root and in the guest. */
export const GUEST_BUSYBOX = "/bin/busybox";

/**
 * The guest's /init: load the modules in order, probe each fact, print one outcome word per fact
 * (what the host expects depends on the target: see expectedOutcome), run the guest checks (each must
 * say ok), print the kernel log's fault lines, power off.
 */
export function initScript(
  modules: readonly VmModule[],
  facts: readonly RuntimeFact[],
  checks: readonly GuestCheck[] = [],
): string {
  const lines = [
    "#!/bin/busybox sh",
    "/bin/busybox --install -s /bin",
    "mount -t proc proc /proc",
    "mount -t sysfs sysfs /sys",
    "mount -t devtmpfs devtmpfs /dev",
    ...modules.map(
      (m) =>
        `if insmod /modules/${m.name}.ko${m.params ? ` ${m.params}` : ""} 2>/tmp/err; then echo "${MARK.load} ${m.name} ok"; ` +
        `else echo "${MARK.load} ${m.name} fail $(cat /tmp/err)"; fi`,
    ),
    "sleep 1",
    ...facts.map(factProbe),
    ...(checks.length ? guestHelpers(MARK.check) : []),
    ...checks.flatMap((c) => c.script),
    kernelLogScript(),
    `echo "${MARK.end}"`,
    "poweroff -f",
    "",
  ];
  return lines.join("\n");
}

function factProbe(fact: RuntimeFact): string {
  const say = (outcome: string, detail = "") =>
    `echo "${MARK.check} ${fact.id} ${outcome}${detail ? ` ${detail}` : ""}"`;
  switch (fact.kind) {
    case "path":
      return `if [ -e ${fact.path} ]; then ${say("ok")}; else ${say("missing", `${fact.path} missing`)}; fi`;
    case "at-command":
      // One descriptor for both directions: a WWAN port opens once at a time.
      return [
        `if [ -c ${fact.port} ]; then`,
        `  exec 3<>${fact.port}; printf '${fact.command}\\r' >&3`,
        `  timeout 3 cat <&3 > /tmp/${fact.id} 2>/dev/null; exec 3<&-`,
        `  if grep -q '${fact.reply}' /tmp/${fact.id}; then ${say("ok")};`,
        `  else ${say("wrong-reply", `replied $(tr -d '\\r\\n' < /tmp/${fact.id})`)}; fi`,
        `else ${say("missing", `${fact.port} missing`)}; fi`,
      ].join("\n");
    case "link-add": {
      const net = `/sys/class/net/${fact.name}`;
      return [
        `if ${GUEST_IP} link add ${fact.name} parentdev ${fact.parent} type wwan linkid ${fact.linkId} 2>/tmp/${fact.id}; then`,
        `  if [ ! -e ${net} ]; then ${say("added-but-missing")};`,
        `  elif ${GUEST_IP} link del ${fact.name} 2>>/tmp/${fact.id} && [ ! -e ${net} ]; then ${say("ok")};`,
        `  else ${say("not-removed", `"$(cat /tmp/${fact.id})"`)}; fi`,
        `else ${say("refused", `"$(cat /tmp/${fact.id})"`)}; fi`,
      ].join("\n");
    }
  }
}

/** What a fact's probe must print: a link request is refused where the kernel lacks what it needs. */
export function expectedOutcome(fact: RuntimeFact, hasFeature: (id: string) => boolean): string {
  if (fact.kind === "link-add" && !fact.requires.every(hasFeature)) return "refused";
  return "ok";
}

/**
 * The guest's user space: a root directory with Debian's binaries for its architecture (the host's own
 * root when it runs them), and where that architecture's libraries are.
 */
export interface GuestRoot {
  root: string;
  libraryDirs: readonly string[];
}

/** Writes a newc initramfs with busybox, iproute2's ip (and its libraries), the modules and /init. */
export async function buildInitramfs(opts: {
  dir: string;
  output: string;
  guest: GuestRoot;
  /** Where ip is in the guest's root. */
  ip?: string;
  modules: readonly VmModule[];
  facts: readonly RuntimeFact[];
  checks?: readonly GuestCheck[];
}): Promise<void> {
  for (const sub of ["bin", "sbin", "dev", "proc", "sys", "tmp", "modules"])
    await mkdir(join(opts.dir, sub), { recursive: true });
  await copyFile(inRoot(opts.guest.root, GUEST_BUSYBOX)!, join(opts.dir, GUEST_BUSYBOX));
  await chmod(join(opts.dir, GUEST_BUSYBOX), 0o755);
  if (opts.ip) {
    await copyFile(inRoot(opts.guest.root, opts.ip)!, join(opts.dir, GUEST_IP));
    for (const [lib, file] of await sharedLibraries(opts.guest, opts.ip)) {
      await mkdir(join(opts.dir, dirname(lib)), { recursive: true });
      await copyFile(file, join(opts.dir, lib));
    }
  }
  for (const m of opts.modules) await copyFile(m.path, join(opts.dir, "modules", `${m.name}.ko`));
  await writeFile(join(opts.dir, "init"), initScript(opts.modules, opts.facts, opts.checks), { mode: 0o755 });
  const files = await execa("find", [".", "-mindepth", "1"], { cwd: opts.dir });
  const list = files.stdout.split("\n").sort().join("\n");
  await execa("sh", ["-c", `cpio --quiet -o -H newc --reproducible > '${opts.output}'`], {
    cwd: opts.dir,
    input: `${list}\n`,
  });
}

/**
 * The loader and libraries a binary of the guest's root needs, by path in the guest, with the file to
 * copy: its ELF interpreter and, transitively, its DT_NEEDED entries, found in the architecture's library
 * directories (read with readelf: a foreign binary cannot run for ldd).
 */
async function sharedLibraries(guest: GuestRoot, binary: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const missing = (name: string, user: string) =>
    new KbackportError(`${name}, which ${user} needs, is not in ${guest.root}`, {
      hint: "unpack the Debian package that has it there too",
    });
  for (let pending = [binary], path = pending.pop(); path !== undefined; path = pending.pop()) {
    const elf = inRoot(guest.root, path)!;
    const { stdout } = await execa("readelf", ["--wide", "--program-headers", "--dynamic", elf]);
    const interpreter = /\[Requesting program interpreter: (\S+)\]/.exec(stdout)?.[1];
    const needed = [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[(\S+)\]/g)].map((m) => {
      const lib = guest.libraryDirs.map((dir) => `${dir}/${m[1]}`).find((p) => inRoot(guest.root, p));
      if (!lib) throw missing(m[1]!, path);
      return lib;
    });
    for (const lib of interpreter ? [interpreter, ...needed] : needed) {
      if (found.has(lib)) continue;
      const file = inRoot(guest.root, lib);
      if (!file) throw missing(lib, path);
      found.set(lib, file);
      pending.push(lib);
    }
  }
  return found;
}

/**
 * A path in a root directory with its symbolic links followed within that root (Debian's packages link
 * /sbin/ip to /bin/ip: unpacked elsewhere, that means the root's /bin/ip, not the host's), or undefined
 * when nothing is there.
 */
export function inRoot(root: string, path: string): string | undefined {
  const rest = path.split("/").filter(Boolean);
  const done: string[] = [];
  for (let links = 0; rest.length > 0;) {
    const part = rest.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      done.pop();
      continue;
    }
    const at = join(root, ...done, part);
    let stat;
    try {
      stat = lstatSync(at);
    } catch {
      return undefined;
    }
    if (stat.isSymbolicLink()) {
      // As the kernel does: a loop of links ends in ELOOP.
      if (++links > 40) return undefined;
      const target = readlinkSync(at);
      if (target.startsWith("/")) done.length = 0;
      rest.unshift(...target.split("/").filter(Boolean));
    } else done.push(part);
  }
  return join(root, ...done);
}
