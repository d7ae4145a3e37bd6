import { Command, InvalidArgumentError } from "commander";
import { reportFailure } from "./failure.js";
import { KbackportError } from "../errors.js";
import type { Check } from "../validate/check.js";
import type { ValidationReport } from "../validate/validate-run.js";
import type { VmReport } from "../validate/vm.js";

function summarizeChecks(v: ValidationReport): string {
  const width = Math.max(...v.checks.map((c) => c.subject.length), 8);
  const mark = (c: Check) => (c.status === "ok" ? "ok" : c.status === "skipped" ? "skipped" : "VIOLATION");
  const lines = [
    `model      ${v.model}`,
    ...v.checks.map(
      (c) => `${c.check.padEnd(10)} ${c.subject.padEnd(width)} ${mark(c).padEnd(9)} ${c.detail}`,
    ),
  ];
  const violations = v.checks.filter((c) => c.status === "violation").length;
  lines.push(
    violations === 0
      ? `${v.checks.length} checks, no violation${v.target ? "" : " (target kernel tree not at hand: some checks skipped)"}`
      : `${violations} violation${violations === 1 ? "" : "s"} in ${v.checks.length} checks`,
  );
  return lines.join("\n");
}

function summarizeVm(vm: VmReport): string {
  const lines = [
    `vm       ${vm.kernelImage}: ${vm.completed ? "completed" : "did not complete"} in ${vm.seconds.toFixed(1)} s`,
  ];
  for (const m of vm.modules)
    lines.push(
      `load     ${m.name.padEnd(20)} ${m.loaded ? "ok" : `FAILED ${m.error ?? ""}`}${m.fromKernel ? " (kernel's)" : m.modem ? " (software modem, sim/)" : ""}`,
    );
  for (const c of vm.checks) {
    const state = !c.ok
      ? `FAILED: ${c.outcome}, expected ${c.expected}${c.detail ? ` (${c.detail})` : ""}`
      : c.outcome === "ok"
        ? `ok${c.detail ? ` (${c.detail})` : ""}`
        : `${c.outcome}, as expected on this kernel${c.detail ? ` (${c.detail})` : ""}`;
    lines.push(`check    ${c.id.padEnd(26)} ${state}  [${c.source}]`);
    if (!c.ok && c.console?.length) lines.push("  console before it:", ...c.console.map((l) => `    ${l}`));
  }
  if (!vm.completed) lines.push("console (last lines):", ...vm.consoleTail.map((l) => `  ${l}`));
  return lines.join("\n");
}

export const validateCommand = (exit: (code: number) => void) =>
  new Command("validate")
    .description(
      "check a run's modules and sources against the reference model and the target; --vm also boots them in qemu",
    )
    .argument("<run-dir>", "output directory of a build or run")
    .option("--vm", "boot the modules in a VM")
    .option(
      "--vm-kernel <vmlinuz>",
      "kernel image to boot (the kernel the run targeted): bzImage or vmlinuz, arm's zImage, mipsel's vmlinux",
    )
    .option("--vm-modules <dir>", "that kernel's /lib/modules/<release>, for the modules ours depend on")
    .option(
      "--vm-root <dir>",
      "the guest's busybox and iproute2 (Debian's, unpacked) for the kernel's arch (default: / on a host of that arch, else /var/cache/kbackport/guest-<debian-arch>)",
    )
    .option(
      "--vm-timeout <seconds>",
      "give up on the guest after this long",
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number of seconds");
        return n;
      },
      300,
    )
    .option(
      "--vm-modem-param <name=value>",
      "a parameter for the software modem (sim/), e.g. drop_every=10 to lose every tenth packet; repeatable",
      (v: string, all: string[]) => {
        if (!/^[a-z_]+=\w+$/.test(v)) throw new InvalidArgumentError("expected name=value");
        return [...all, v];
      },
      [] as string[],
    )
    .option("--json", "print the result as JSON")
    .option("--junit <file>", "also write the result as JUnit XML (a case per check, VM load and VM check)")
    .action(
      async (
        runDir: string,
        flags: {
          vm?: boolean;
          vmKernel?: string;
          vmModules?: string;
          vmRoot?: string;
          vmTimeout: number;
          vmModemParam: string[];
          json?: boolean;
          junit?: string;
        },
      ) => {
        try {
          if (flags.vm && !flags.vmKernel) throw new KbackportError("--vm needs --vm-kernel <vmlinuz>");
          const vmOptions = flags.vm && {
            runDir,
            kernelImage: flags.vmKernel!,
            kernelModules: flags.vmModules,
            guestRoot: flags.vmRoot,
            timeoutSeconds: flags.vmTimeout,
            modemParams: flags.vmModemParam,
          };
          const { validateRun } = await import("../validate/validate-run.js");
          const { checkVmInputs, runVmCheck } = await import("../validate/vm.js");
          const { readRunReport } = await import("../validate/run-report.js");
          // The run is read and its modules verified once; what the VM needs is said before any check runs.
          const report = readRunReport(runDir);
          const vmInputs = vmOptions && checkVmInputs(vmOptions, report);
          const checks = await validateRun(runDir, undefined, report);
          const vm = vmOptions && vmInputs ? await runVmCheck(vmOptions, vmInputs) : undefined;
          const vmOk =
            !vm || (vm.completed && vm.modules.every((m) => m.loaded) && vm.checks.every((c) => c.ok));
          const ok = checks.ok && vmOk;
          if (flags.junit) {
            const { targetName, validateSuite, writeJunit } = await import("../output/junit.js");
            await writeJunit(flags.junit, [validateSuite(targetName(report), checks, vm)]);
          }
          process.stdout.write(
            flags.json
              ? `${JSON.stringify({ ok, model: checks.model, checks: checks.checks, target: checks.target, vm }, null, 2)}\n`
              : `${[summarizeChecks(checks), ...(vm ? [summarizeVm(vm)] : [])].join("\n")}\n`,
          );
          exit(ok ? 0 : 1);
        } catch (err) {
          reportFailure(err, flags.json, exit);
        }
      },
    );
