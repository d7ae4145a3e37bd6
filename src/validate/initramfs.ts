import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { RuntimeFact } from "../model/runtime.js";

export interface VmModule {
  name: string;
  path: string;
}

/** Lines the guest prints on its serial console; the host reads nothing else. */
export const MARK = { load: "KBACKPORT-LOAD", check: "KBACKPORT-CHECK", end: "KBACKPORT-END" } as const;

/** The guest's /init: load the modules in order, probe each fact, print the results, power off. */
export function initScript(modules: readonly VmModule[], facts: readonly RuntimeFact[]): string {
  const lines = [
    "#!/bin/busybox sh",
    "/bin/busybox --install -s /bin",
    "mount -t proc proc /proc",
    "mount -t sysfs sysfs /sys",
    "mount -t devtmpfs devtmpfs /dev",
    ...modules.map(
      (m) =>
        `if insmod /modules/${m.name}.ko 2>/tmp/err; then echo "${MARK.load} ${m.name} ok"; ` +
        `else echo "${MARK.load} ${m.name} fail $(cat /tmp/err)"; fi`,
    ),
    "sleep 1",
    ...facts.map(factProbe),
    `echo "${MARK.end}"`,
    "poweroff -f",
    "",
  ];
  return lines.join("\n");
}

function factProbe(fact: RuntimeFact): string {
  if (fact.kind === "path") {
    return `if [ -e ${fact.path} ]; then echo "${MARK.check} ${fact.id} ok"; else echo "${MARK.check} ${fact.id} fail ${fact.path} missing"; fi`;
  }
  // One descriptor for both directions: a WWAN port opens once at a time.
  return [
    `if [ -c ${fact.port} ]; then`,
    `  exec 3<>${fact.port}; printf '${fact.command}\\r' >&3`,
    `  timeout 3 cat <&3 > /tmp/${fact.id} 2>/dev/null; exec 3<&-`,
    `  if grep -q '${fact.reply}' /tmp/${fact.id}; then echo "${MARK.check} ${fact.id} ok";`,
    `  else echo "${MARK.check} ${fact.id} fail replied $(tr -d '\\r\\n' < /tmp/${fact.id})"; fi`,
    `else echo "${MARK.check} ${fact.id} fail ${fact.port} missing"; fi`,
  ].join("\n");
}

/** Writes a newc initramfs with busybox, the modules and /init. */
export async function buildInitramfs(opts: {
  dir: string;
  output: string;
  busybox: string;
  modules: readonly VmModule[];
  facts: readonly RuntimeFact[];
}): Promise<void> {
  for (const sub of ["bin", "dev", "proc", "sys", "tmp", "modules"])
    await mkdir(join(opts.dir, sub), { recursive: true });
  await copyFile(opts.busybox, join(opts.dir, "bin/busybox"));
  await chmod(join(opts.dir, "bin/busybox"), 0o755);
  for (const m of opts.modules) await copyFile(m.path, join(opts.dir, "modules", `${m.name}.ko`));
  await writeFile(join(opts.dir, "init"), initScript(opts.modules, opts.facts), { mode: 0o755 });
  const files = await execa("find", [".", "-mindepth", "1"], { cwd: opts.dir });
  const list = files.stdout.split("\n").sort().join("\n");
  await execa("sh", ["-c", `cpio --quiet -o -H newc --reproducible > '${opts.output}'`], {
    cwd: opts.dir,
    input: `${list}\n`,
  });
}
