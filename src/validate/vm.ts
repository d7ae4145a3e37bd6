import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { RunReport } from "../report.js";
import { readRunReport } from "./run-report.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { hasTool } from "../build/toolchain.js";
import { KbackportError } from "../errors.js";
import { parseConfig } from "../kernel/target.js";
import { runModel } from "../model/run-model.js";
import { BEHAVIOUR_FACTS, registrationFacts, type RuntimeFact } from "../model/runtime.js";
import {
  DATA_PATH_MODULES,
  dataPathChecks,
  KERNEL_FAULTS,
  KMSG_MARK,
  unloadCheck,
  type GuestCheck,
} from "./data-path.js";
import { buildInitramfs, expectedOutcome, GUEST_BUSYBOX, inRoot, MARK, type VmModule } from "./initramfs.js";
import { buildModem, MODEM_MODULE } from "./modem-build.js";
import {
  checkImage,
  defaultGuestRoot,
  imageHint,
  libraryDirs,
  qemuCommand,
  vmMachine,
  type VmMachine,
} from "./vm-machine.js";

export interface VmOptions {
  /** A run's output directory (report.json and modules/). */
  runDir: string;
  /** The kernel to boot: its vmlinuz must match the release the modules were built for. */
  kernelImage: string;
  /** /lib/modules/<release> of that kernel, for the kernel's own modules ours depend on. */
  kernelModules?: string;
  timeoutSeconds: number;
  /** The guest's busybox and iproute2, unpacked for its architecture (default: defaultGuestRoot). */
  guestRoot?: string;
  /** Parameters for the software modem's module (fault injection: drop_every=N). */
  modemParams?: string[];
}

export interface VmReport {
  kernelImage: string;
  /** fromKernel: one of the kernel's own modules ours need; modem: the software modem (sim/). */
  modules: { name: string; loaded: boolean; error?: string; fromKernel?: boolean; modem?: boolean }[];
  checks: {
    id: string;
    ok: boolean;
    expected: string;
    outcome: string;
    detail?: string;
    source: string;
    /** For a failed check: the console lines that came before its outcome. */
    console?: string[];
  }[];
  /** The guest printed its end marker before the timeout. */
  completed: boolean;
  seconds: number;
  /** The last lines of the serial console, for diagnosis. */
  consoleTail: string[];
}

export interface VmInputs {
  report: RunReport & { target: NonNullable<RunReport["target"]> };
  machine: VmMachine;
  root: string;
}

/** What the VM check needs before anything runs: a run, the machine for its target, the image, qemu, busybox. */
export function checkVmInputs(opts: VmOptions, report: RunReport = readRunReport(opts.runDir)): VmInputs {
  if (!report.target)
    throw new KbackportError("the VM check boots the run's target kernel; this run has none");
  const configPath = join(report.target.dir, ".config");
  const config = existsSync(configPath) ? parseConfig(readFileSync(configPath, "utf8")) : undefined;
  const machine = vmMachine(report.target.arch, config);
  if (!existsSync(opts.kernelImage)) {
    throw new KbackportError(`kernel image ${opts.kernelImage} does not exist`, {
      hint: imageHint(machine, report.target.release),
    });
  }
  checkImage(machine, opts.kernelImage, report.target.release);
  if (!hasTool(machine.qemu)) {
    throw new KbackportError(`${machine.qemu} not found`, {
      hint: `install it: apt-get install ${machine.qemuPackage}`,
    });
  }
  const root = opts.guestRoot ?? defaultGuestRoot(machine);
  if (!inRoot(root, GUEST_BUSYBOX))
    throw new KbackportError(`${join(root, GUEST_BUSYBOX)} not found`, guestHint(machine, root));
  return { report: { ...report, target: report.target }, machine, root };
}

/** How to get the guest's busybox and iproute2: Debian's packages of the guest's architecture. */
function guestHint(machine: VmMachine, root: string): { hint: string } {
  return {
    hint:
      root === "/"
        ? "install them: apt-get install busybox-static iproute2"
        : root === defaultGuestRoot(machine)
          ? `scripts/setup-debian.sh unpacks Debian's busybox-static and iproute2 for ${machine.debianArch} there`
          : `pass --vm-root with Debian's busybox-static and iproute2 for ${machine.debianArch} unpacked (dpkg-deb -x)`,
  };
}

/**
 * Boots a kernel under qemu (TCG: a /dev/kvm may exist and not work) with a busybox initramfs that loads
 * the run's modules in dependency order and probes what the model says they must create. Results come
 * from the serial console, up to an end marker or the timeout; qemu's exit code says nothing.
 */
export async function runVmCheck(opts: VmOptions, inputs: VmInputs = checkVmInputs(opts)): Promise<VmReport> {
  const { report, machine, root } = inputs;
  const ours = new Map(report.modules.map((m) => [m.name, join(opts.runDir, m.path)]));
  const modules = await loadOrder(ours, opts.kernelModules);
  const reference = await runModel(report);
  const facts = report.modules.flatMap((m) => {
    const model = reference.model.modules.find((mm) => mm.name === m.name);
    return [...(model ? registrationFacts(model) : []), ...(BEHAVIOUR_FACTS[m.name] ?? [])];
  });
  const features = new Map(report.target.features.map((f) => [f.id, f.present]));
  const expected = new Map(facts.map((f) => [f.id, expectedOutcome(f, (id) => features.get(id) === true)]));
  const ip = facts.some((f) => f.kind === "link-add") ? findIp(machine, root) : undefined;
  const work = await mkdtemp(join(tmpdir(), "kbackport-vm-"));
  try {
    // The data path needs the MHI core, mhi_net and the control ports: then the software modem joins them.
    const dataPath = DATA_PATH_MODULES.every((name) => ours.has(name));
    if (dataPath) {
      const path = await buildModem(opts.runDir, report, work);
      modules.push({ name: MODEM_MODULE, path, params: opts.modemParams?.join(" ") });
    }
    const checks = [...(dataPath ? dataPathChecks() : []), unloadCheck(modules.map((m) => m.name))];
    const initrd = join(work, "initrd.cpio");
    await buildInitramfs({
      dir: join(work, "root"),
      output: initrd,
      guest: { root, libraryDirs: libraryDirs(machine) },
      ip,
      modules,
      facts,
      checks,
    });
    const start = Date.now();
    const { file, args } = qemuCommand(machine, opts.kernelImage, initrd);
    const qemu = execa(file, args, {
      reject: false,
      timeout: opts.timeoutSeconds * 1000,
      all: true,
      stdin: "ignore",
    });
    // A kernel without ACPI halts instead of powering off: stop qemu once the guest has said everything.
    let seen = "";
    let stopping = false;
    qemu.all?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (!stopping && seen.includes(MARK.end)) {
        stopping = true;
        setTimeout(() => qemu.kill(), 2000).unref();
      }
    });
    const result = await qemu;
    return parseConsole(
      result.all ?? "",
      modules,
      facts,
      checks,
      expected,
      opts,
      ours,
      (Date.now() - start) / 1000,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function parseConsole(
  text: string,
  modules: readonly VmModule[],
  facts: readonly RuntimeFact[],
  guestChecks: readonly GuestCheck[],
  expected: ReadonlyMap<string, string>,
  opts: VmOptions,
  ours: ReadonlyMap<string, string>,
  seconds: number,
): VmReport {
  const lines = text.replace(/\r/g, "").split("\n");
  const marked = (mark: string) =>
    new Map(
      lines.flatMap((l) => {
        const m = new RegExp(`${mark} (\\S+) (\\S+)\\s*(.*)$`).exec(l);
        return m ? [[m[1]!, { outcome: m[2]!, detail: m[3]?.trim() || undefined }] as const] : [];
      }),
    );
  const loads = marked(MARK.load);
  const checks = marked(MARK.check);
  const faults = lines.filter((l) => l.startsWith(KMSG_MARK)).map((l) => l.slice(KMSG_MARK.length + 1));
  const completed = lines.some((l) => l.includes(MARK.end));
  return {
    kernelImage: opts.kernelImage,
    modules: modules.map((m) => ({
      name: m.name,
      loaded: loads.get(m.name)?.outcome === "ok",
      error: loads.has(m.name) ? loads.get(m.name)!.detail : "no result: the guest never got to it",
      ...(m.name === MODEM_MODULE ? { modem: true } : ours.has(m.name) ? {} : { fromKernel: true }),
    })),
    checks: [
      ...facts.map((f) => {
        const got = checks.get(f.id);
        const outcome = got?.outcome ?? "no-result";
        return {
          id: f.id,
          ok: outcome === expected.get(f.id),
          expected: expected.get(f.id)!,
          outcome,
          detail: got?.detail,
          source: f.source,
        };
      }),
      ...guestChecks.map((c) => {
        const got = checks.get(c.id);
        const outcome = got?.outcome ?? "no-result";
        return {
          id: c.id,
          ok: outcome === "ok",
          expected: "ok",
          outcome,
          detail: got?.detail,
          source: c.source,
          ...(outcome === "ok" ? {} : { console: consoleBefore(lines, `${MARK.check} ${c.id} `) }),
        };
      }),
      {
        id: "console-clean",
        ok: completed && faults.length === 0,
        expected: "ok",
        outcome: !completed ? "no-result" : faults.length === 0 ? "ok" : "fault",
        detail: faults.length ? faults.slice(0, 5).join(" | ") : undefined,
        source: `the kernel log has no line matching ${KERNEL_FAULTS.source}`,
      },
    ],
    completed,
    seconds,
    consoleTail: lines.filter((l) => l.trim()).slice(-25),
  };
}

/** The console lines before a check's outcome line (the end of the console when it never came). */
function consoleBefore(lines: readonly string[], marker: string): string[] {
  const at = lines.findIndex((l) => l.includes(marker));
  const end = at >= 0 ? at : lines.length;
  return lines
    .slice(0, end)
    .filter((l) => l.trim() && !l.includes(MARK.check))
    .slice(-15);
}

/** Our modules and the kernel's own they need, dependencies first (from each module's `depends`). */
async function loadOrder(ours: ReadonlyMap<string, string>, kernelModules?: string): Promise<VmModule[]> {
  const kernel = kernelModuleIndex(kernelModules);
  const ordered: VmModule[] = [];
  const seen = new Set<string>();
  const visit = async (name: string, path: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const depends = (await execa("modinfo", ["-F", "depends", path])).stdout.trim();
    for (const dep of depends ? depends.split(",") : []) {
      const depPath = ours.get(dep) ?? kernel.get(dep.replace(/-/g, "_"));
      if (!depPath) {
        throw new KbackportError(
          `module ${name} needs ${dep}, which neither the run nor the kernel's modules provide`,
          {
            hint: "pass --vm-modules with the kernel's /lib/modules/<release> directory",
          },
        );
      }
      await visit(dep, depPath);
    }
    ordered.push({ name, path });
  };
  for (const [name, path] of ours) await visit(name, path);
  return ordered;
}

/** iproute2's ip in the guest's root (bookworm keeps it in /bin, with links in /sbin and /usr/sbin). */
function findIp(machine: VmMachine, root: string): string {
  const found = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => inRoot(root, p));
  if (!found)
    throw new KbackportError(
      `iproute2's ip not found in ${root}: the VM check adds WWAN links with it`,
      guestHint(machine, root),
    );
  return found;
}

/** The kernel's own modules by name (dashes read as underscores, as modprobe does), listed once. */
function kernelModuleIndex(dir?: string): Map<string, string> {
  const index = new Map<string, string>();
  if (!dir || !existsSync(dir)) return index;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith(".ko"))
      index.set(e.name.slice(0, -3).replace(/-/g, "_"), join(e.parentPath, e.name));
  }
  return index;
}
