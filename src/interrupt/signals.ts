import { writeSync } from "node:fs";
import { constants } from "node:os";
import { errorMessage } from "../errors.js";
import { endProcesses } from "./processes.js";
import { pending } from "./registry.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
export type InterruptSignal = (typeof SIGNALS)[number];

/** A command ended by a signal exits as shells report it: 128 + the signal's number (130, 143). */
export function interruptExitCode(signal: InterruptSignal): number {
  return 128 + constants.signals[signal];
}

/** The one line an interrupt prints: what was running, what became of the output. */
export function interruptMessage(
  signal: InterruptSignal,
  activity: readonly string[],
  notes: readonly string[],
): string {
  const [what, ...detail] = activity;
  const during = what ? ` during ${what}${detail.length > 0 ? ` (${detail.join(": ")})` : ""}` : "";
  return `interrupted by ${signal}${during}${notes.length > 0 ? `: ${notes.join("; ")}` : ""}`;
}

/**
 * On SIGINT or SIGTERM: ends the child processes (whole process groups for make), runs the registered
 * cleanups, prints one line on stderr and exits 130 or 143. All of it is synchronous, so a second signal
 * waits until the cleanup is done and then finds the process gone. Returns the function that uninstalls it.
 */
export function handleInterrupts(): () => void {
  const handler = (signal: InterruptSignal) => {
    const { groups, cleanups, activity } = pending();
    const survivors = endProcesses(groups);
    const notes = survivors.length > 0 ? [`processes ${survivors.join(", ")} did not end`] : [];
    for (const cleanup of cleanups) {
      try {
        const note = cleanup();
        if (note) notes.push(note);
      } catch (err) {
        notes.push(`cleanup failed: ${errorMessage(err)}`);
      }
    }
    writeSync(2, `${interruptMessage(signal, activity, notes)}\n`);
    process.exit(interruptExitCode(signal));
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
