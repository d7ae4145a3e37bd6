import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { RunReport } from "../../src/report.js";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Starts the built kbackport CLI as a user would; the running process, to wait for or signal. */
export function startKbackport(args: readonly string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [join(ROOT, "bin/kbackport.cjs"), ...args], {
    cwd: ROOT,
    reject: false,
    env: { CI: "true", ...env },
  });
}

/** Runs the built kbackport CLI as a user would. */
export async function kbackport(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const r = await startKbackport(args, env);
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command with --json and parses the report. */
export async function kbackportJson(args: readonly string[], env: Record<string, string> = {}) {
  const r = await kbackport([...args, "--json"], env);
  return { ...r, report: JSON.parse(r.stdout) as RunReport };
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `kbackport-${prefix}-`));
