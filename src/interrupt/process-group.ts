import { execa } from "execa";
import { endGroupOnInterrupt } from "./registry.js";

/**
 * Runs a command (make) as the leader of a process group of its own, so that an interrupt ends it with
 * every process it started, compilers included. Returns its exit code and its interleaved output.
 */
export async function runGroup(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ exitCode: number | undefined; all: string }> {
  const child = execa(file, args, { ...options, all: true, reject: false, detached: true });
  const release = child.pid === undefined ? () => undefined : endGroupOnInterrupt(child.pid);
  try {
    const run = await child;
    return { exitCode: run.exitCode, all: run.all ?? "" };
  } finally {
    release();
  }
}
