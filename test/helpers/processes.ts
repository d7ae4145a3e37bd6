import { readdirSync, readFileSync } from "node:fs";

/** A process that has not exited, as /proc shows it. */
export interface RunningProcess {
  pid: number;
  ppid: number;
  pgid: number;
  comm: string;
  /** Arguments joined by spaces. */
  cmdline: string;
}

/** Every running process (exited but unreaped ones excluded). */
export function runningProcesses(): RunningProcess[] {
  const found: RunningProcess[] = [];
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, ppid, pgid] = stat.slice(close + 2).split(" ");
      if (state === "Z" || state === "X") continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      found.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), comm, cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The running descendants of a process. */
export function descendantsOf(root: number): number[] {
  const table = runningProcesses();
  const found = [root];
  for (let i = 0; i < found.length; i++)
    for (const p of table) if (p.ppid === found[i] && !found.includes(p.pid)) found.push(p.pid);
  return found.slice(1);
}

/** Which of these processes still run. */
export function stillRunning(pids: readonly number[]): number[] {
  const running = new Set(runningProcesses().map((p) => p.pid));
  return pids.filter((p) => running.has(p));
}

/** Polls until `check` holds (30 s at most). */
export async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
