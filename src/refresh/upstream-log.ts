import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "../source/sparse-fetch.js";
import { removeOnInterrupt } from "../interrupt/registry.js";

export interface UpstreamCommit {
  id: string;
  subject: string;
}

/**
 * The upstream commits between two pins that touch the given paths, newest first. Only commits and
 * trees cross the wire (a blob-less fetch, no deeper than the old pin's date); a remote that cannot
 * serve that gives `unavailable` with git's reason rather than failing the refresh.
 */
export async function upstreamCommits(opts: {
  url: string;
  from: string;
  to: string;
  /** The old pin's commit time: history before it is not fetched. */
  since: number;
  paths: readonly string[];
}): Promise<{ commits: UpstreamCommit[] } | { unavailable: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kbackport-log-"));
  const forget = removeOnInterrupt(dir);
  try {
    const g = await git(dir);
    await g.init(["--bare"]);
    await g.addRemote("origin", opts.url);
    await g.raw([
      "fetch",
      "-q",
      "--filter=blob:none",
      `--shallow-since=${opts.since - 1}`,
      "origin",
      opts.to,
    ]);
    await g.raw(["fetch", "-q", "--filter=blob:none", "--depth=1", "origin", opts.from]);
    const out = await g.raw(["log", "--format=%H%x09%s", `${opts.from}..${opts.to}`, "--", ...opts.paths]);
    const commits = out
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const tab = l.indexOf("\t");
        return { id: l.slice(0, tab), subject: l.slice(tab + 1) };
      });
    return { commits };
  } catch (err) {
    return { unavailable: (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
    forget();
  }
}
