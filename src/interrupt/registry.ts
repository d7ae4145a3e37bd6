import { rmSync } from "node:fs";

/**
 * What an interrupt (SIGINT, SIGTERM) must end and undo, and what the command was doing when it came.
 * Code that starts a process group or creates something temporary registers it here for as long as it
 * exists; the signal handler reads the registry. Cleanups are synchronous: the handler runs them without
 * yielding, so no other step of the command can run (or race them) once an interrupt is being handled.
 */

/** Undoes one thing; returns what the user should know about it ("previous output /x kept"), if anything. */
export type Cleanup = () => string | undefined;

const cleanups: Cleanup[] = [];
const groups: number[] = [];
const activity: string[] = [];

function remover<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const i = list.lastIndexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Registers a cleanup to run on interrupt (newest first); the returned function unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  return remover(cleanups, cleanup);
}

/** Removes a directory from an interrupt's cleanup: writes still under way may add entries, hence the retries. */
export function removeNow(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/** Registers a temporary directory to remove on interrupt; the returned function unregisters it. */
export function removeOnInterrupt(dir: string): () => void {
  return onInterrupt(() => {
    removeNow(dir);
    return undefined;
  });
}

/** Registers a process group (by its leader's pid) to end on interrupt; the returned function unregisters it. */
export function endGroupOnInterrupt(pgid: number): () => void {
  return remover(groups, pgid);
}

/** Runs `work` described as `what` ("build", "make modules for 5.10.0-46-amd64") for interrupt messages. */
export async function during<T>(what: string, work: () => Promise<T>): Promise<T> {
  const done = remover(activity, what);
  try {
    return await work();
  } finally {
    done();
  }
}

/** What is registered now: the process groups to end, the cleanups newest first, the activity outermost first. */
export function pending(): { groups: number[]; cleanups: Cleanup[]; activity: string[] } {
  return { groups: [...groups], cleanups: [...cleanups].reverse(), activity: [...activity] };
}
