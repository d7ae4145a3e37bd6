import { Command, InvalidArgumentError } from "commander";
import { errorMessage, KbackportError } from "../errors.js";
import { runVmCheck, type VmReport } from "../validate/vm.js";

function summarizeVm(vm: VmReport): string {
  const lines = [
    `vm       ${vm.kernelImage}: ${vm.completed ? "completed" : "did not complete"} in ${vm.seconds.toFixed(1)} s`,
  ];
  for (const m of vm.modules)
    lines.push(
      `load     ${m.name.padEnd(20)} ${m.loaded ? "ok" : `FAILED ${m.error ?? ""}`}${m.fromKernel ? " (kernel's)" : ""}`,
    );
  for (const c of vm.checks) {
    const state = !c.ok
      ? `FAILED: ${c.outcome}, expected ${c.expected}${c.detail ? ` (${c.detail})` : ""}`
      : c.outcome === "ok"
        ? "ok"
        : `${c.outcome}, as expected on this kernel${c.detail ? ` (${c.detail})` : ""}`;
    lines.push(`check    ${c.id.padEnd(26)} ${state}  [${c.source}]`);
  }
  if (!vm.completed) lines.push("console (last lines):", ...vm.consoleTail.map((l) => `  ${l}`));
  return lines.join("\n");
}

export const validateCommand = (exit: (code: number) => void) =>
  new Command("validate")
    .description(
      "check a run's modules; --vm boots a kernel in qemu, loads them and probes what they must create",
    )
    .argument("<run-dir>", "output directory of a build or run")
    .option("--vm", "boot the modules in a VM")
    .option("--vm-kernel <vmlinuz>", "kernel image to boot (the kernel the run targeted)")
    .option("--vm-modules <dir>", "that kernel's /lib/modules/<release>, for the modules ours depend on")
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
    .option("--json", "print the result as JSON")
    .action(
      async (
        runDir: string,
        flags: { vm?: boolean; vmKernel?: string; vmModules?: string; vmTimeout: number; json?: boolean },
      ) => {
        try {
          if (!flags.vm)
            throw new KbackportError("nothing to validate yet without --vm", {
              hint: "pass --vm --vm-kernel <vmlinuz>",
            });
          if (!flags.vmKernel) throw new KbackportError("--vm needs --vm-kernel <vmlinuz>");
          const vm = await runVmCheck({
            runDir,
            kernelImage: flags.vmKernel,
            kernelModules: flags.vmModules,
            timeoutSeconds: flags.vmTimeout,
          });
          const ok = vm.completed && vm.modules.every((m) => m.loaded) && vm.checks.every((c) => c.ok);
          process.stdout.write(
            flags.json ? `${JSON.stringify({ vm, ok }, null, 2)}\n` : `${summarizeVm(vm)}\n`,
          );
          exit(ok ? 0 : 1);
        } catch (err) {
          if (!(err instanceof KbackportError)) throw err;
          process.stdout.write(
            flags.json
              ? `${JSON.stringify({ ok: false, errors: [{ message: err.message, hint: err.hint }] }, null, 2)}\n`
              : `error: ${errorMessage(err)}\n${err.hint ? `hint: ${err.hint}\n` : ""}`,
          );
          exit(1);
        }
      },
    );
