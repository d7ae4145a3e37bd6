import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc/<pid>/stat shows it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (exited, not yet reaped), ... */
  state: string;
}

/** Every process the system shows now; those that vanish while being read are left out. */
export function processTable(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses: the fields after it start past the last ')'.
    const [state = "", ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    table.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), state });
  }
  return table;
}

const running = (p: ProcessEntry) => p.state !== "Z" && p.state !== "X";

/** The running descendants of `root` (children, their children, ...). */
export function descendants(table: readonly ProcessEntry[], root: number): number[] {
  const found = new Set<number>([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return table.filter((p) => found.has(p.pid) && running(p)).map((p) => p.pid);
}

/** Which of `pids`, and which members of `groups`, still run (exited but unreaped ones do not). */
export function stillRunning(
  table: readonly ProcessEntry[],
  pids: ReadonlySet<number>,
  groups: ReadonlySet<number>,
): number[] {
  return table.filter((p) => running(p) && (pids.has(p.pid) || groups.has(p.pgid))).map((p) => p.pid);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Ends every descendant of this process and every member of `groups` (whole process groups, so a
 * compiler whose make already died goes too): SIGTERM, then SIGKILL for what still runs after `graceMs`.
 * Synchronous, so nothing else runs meanwhile; returns the pids that survived even SIGKILL (none, normally).
 */
export function endProcesses(groups: readonly number[], graceMs = 3000): number[] {
  const table = processTable();
  const pids = new Set(descendants(table, process.pid));
  const members = new Set(groups);
  const left = () => stillRunning(processTable(), pids, members);
  const send = (signal: NodeJS.Signals) => {
    for (const g of members) kill(-g, signal);
    for (const p of left()) kill(p, signal);
  };
  const waitFor = (ms: number) => {
    for (const end = Date.now() + ms; left().length > 0 && Date.now() < end;) Atomics.wait(pause, 0, 0, 25);
    return left();
  };
  send("SIGTERM");
  if (waitFor(graceMs).length === 0) return [];
  send("SIGKILL");
  return waitFor(1000);
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Whether a process runs (one of another user's answers EPERM): what a dead run left may be cleaned. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
