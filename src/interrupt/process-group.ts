import { spawn } from "node:child_process";
import { endGroupOnInterrupt } from "./registry.js";

/**
 * Runs a command (make) as the leader of a process group of its own, so that an interrupt ends it with
 * every process it started, compilers included. Returns its exit code (undefined when it could not start
 * or was killed) and its output, stdout and stderr interleaved as they came. Node's own spawn: this is
 * the one child every build starts, and loading execa for it was a tenth of a cached run's own time.
 */
export async function runGroup(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ exitCode: number | undefined; all: string }> {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const release = child.pid === undefined ? () => undefined : endGroupOnInterrupt(child.pid);
  const chunks: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => chunks.push(chunk));
  }
  try {
    const exitCode = await new Promise<number | undefined>((resolve) => {
      child.on("error", (err) => {
        chunks.push(`${file}: ${err.message}\n`);
        resolve(undefined);
      });
      child.on("close", (code) => resolve(code ?? undefined));
    });
    return { exitCode, all: chunks.join("") };
  } finally {
    release();
  }
}
