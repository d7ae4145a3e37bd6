import { KbackportError } from "./errors.js";

/** The system faults a user fixes outside kbackport, with the cause each error code means and its fix. */
const FAULTS: Record<string, { cause: string; hint: string }> = {
  ENOSPC: {
    cause: "no space left on the device",
    hint: "free space on that filesystem (df -h shows it), or put --out or KBACKPORT_CACHE_DIR on another one",
  },
  EDQUOT: {
    cause: "the disk quota is used up",
    hint: "free space within your quota, or put --out or KBACKPORT_CACHE_DIR elsewhere",
  },
  EACCES: {
    cause: "permission denied",
    hint: "this user may not write there: check the owner and mode of the path, or choose another --out or KBACKPORT_CACHE_DIR",
  },
  EPERM: {
    cause: "operation not permitted",
    hint: "this user may not change that path: check its owner, mode and attributes",
  },
  EROFS: {
    cause: "the filesystem is read-only",
    hint: "choose an --out or KBACKPORT_CACHE_DIR on a writable filesystem",
  },
};

/** git's words for the same faults, in its messages. */
const GIT_FAULTS: [RegExp, string][] = [
  [/No space left on device/i, "ENOSPC"],
  [/Disk quota exceeded/i, "EDQUOT"],
  [/Read-only file system/i, "EROFS"],
  [/Permission denied/i, "EACCES"],
];

/**
 * A system error (a Node errno error, or git's message for one) as an error the user can act on: the
 * cause, the path and what kbackport was doing; undefined for anything else.
 */
export function systemFault(err: unknown, doing: string, gitOutput?: string): KbackportError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  // An error without an errno code (simple-git's) carries git's own output, which names the path.
  const git = gitOutput ?? (err instanceof Error && typeof e?.code !== "string" ? err.message : undefined);
  const code =
    (e && typeof e.code === "string" && e.code in FAULTS ? e.code : undefined) ??
    GIT_FAULTS.find(([pattern]) => git !== undefined && pattern.test(git))?.[1];
  if (!code) return undefined;
  const { cause, hint } = FAULTS[code]!;
  const dest = (e as { dest?: string } | undefined)?.dest;
  const path = e?.path ? ` (${e.path}${dest ? ` -> ${dest}` : ""})` : "";
  // git's fatal line names the path; an error line may not.
  const lines = git?.split("\n") ?? [];
  const line = lines.find((l) => l.startsWith("fatal:")) ?? lines.find((l) => /error/i.test(l));
  const said = git && !gitOutput && line ? `: ${line.trim()}` : "";
  return new KbackportError(`${doing}: ${cause}${path}${said}`, { hint, cause: err });
}
