import { existsSync, renameSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SimpleGit } from "simple-git";
import { KbackportError } from "../errors.js";
import { systemFault } from "../faults.js";
import { isAlive } from "../interrupt/processes.js";
import { removeOnInterrupt } from "../interrupt/registry.js";
import { digest } from "./cache.js";
import { checkTreeEntries, parseLsTree } from "./tree-entries.js";
import { workTreeMismatch } from "./tree-integrity.js";
import { ALLOWED_PROTOCOLS } from "./url.js";

export interface FetchRequest {
  /** Recipe source name, for messages. */
  name: string;
  url: string;
  commit: string;
  /** Paths to check out, relative to the top of the tree. */
  paths: readonly string[];
  /** Where each path is named in the recipe ("file:line:col"), for messages. */
  whereIs?: (path: string) => string | undefined;
  whereCommit?: string;
  /** Files outside `paths` whose blob ids to record (read from the pin's trees; their blobs are not fetched). */
  recordIds?: readonly string[];
}

export interface SourceTree {
  name: string;
  url: string;
  commit: string;
  /** Work tree holding exactly the requested paths at the pinned commit. */
  dir: string;
  paths: readonly string[];
  /** True when the tree came from the cache without touching the network. */
  cached: boolean;
  /** The pin's commit time, seconds since the epoch. */
  committed: number;
  /** The pin's subject line. */
  subject: string;
  /** Every file under `paths` and its git blob id at the pin. */
  files: Record<string, string>;
  /** The blob id of each `recordIds` path at the pin, null where the pin has no such file. */
  recorded: Record<string, string | null>;
  /** Why a cached copy was fetched again (it no longer matched the pin). */
  refetched?: string;
}

/** What a complete cache entry records about itself, in DONE_MARKER at its top. */
interface EntryRecord {
  url: string;
  commit: string;
  paths: readonly string[];
  committed: number;
  subject: string;
  files: Record<string, string>;
  recorded: Record<string, string | null>;
}

const DONE_MARKER = ".kbackport-source.json";

let fetchCount = 0;

/**
 * Moves a finished fetch into place. Another run sharing the cache may have installed the same pin
 * meanwhile: a sound entry of theirs is kept (they may be reading it) and ours dropped; false then.
 * Only what stood there at the start (`replacing`: unsound or unreadable) is removed first; otherwise the rename itself
 * says whether another run got there, so a sound entry is never removed under its reader.
 */
async function installEntry(
  tmp: string,
  dir: string,
  req: FetchRequest,
  replacing: boolean,
): Promise<boolean> {
  const sound = async () => {
    const entry = await readEntry(dir, req);
    return entry !== undefined && workTreeMismatch(dir, req.paths, entry.files) === undefined;
  };
  if (replacing) {
    if (await sound()) {
      await rm(tmp, { recursive: true, force: true });
      return false;
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dirname(dir), { recursive: true });
  try {
    // Synchronous, so that an interrupt never removes an entry half-way through its move into place.
    renameSync(tmp, dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === "ENOTEMPTY" || code === "EEXIST") && (await sound())) {
      await rm(tmp, { recursive: true, force: true });
      return false;
    }
    throw err;
  }
}

/** The cache directory for one source pin: one small partial clone per (url, commit, paths). */
export function sourceCacheDir(
  cacheDir: string,
  req: Pick<FetchRequest, "url" | "commit" | "paths">,
): string {
  const pathsKey = digest(...[...req.paths].sort()).slice(0, 16);
  return join(cacheDir, "sources", digest(req.url).slice(0, 16), `${req.commit}-${pathsKey}`);
}

/**
 * Brings the requested paths of one commit into the cache with a shallow, blob-less fetch and a
 * non-cone sparse checkout, so only those paths' blobs cross the wire; then proves HEAD is the pin.
 */
export async function fetchSource(
  req: FetchRequest,
  cacheDir: string,
  offline: boolean,
): Promise<SourceTree> {
  const dir = sourceCacheDir(cacheDir, req);
  await removeDeadTemporaries(dirname(dir));
  const tree = (entry: EntryRecord, cached: boolean, refetched?: string): SourceTree => ({
    name: req.name,
    url: req.url,
    commit: req.commit,
    dir,
    paths: req.paths,
    cached,
    committed: entry.committed,
    subject: entry.subject,
    files: entry.files,
    recorded: entry.recorded,
    ...(refetched ? { refetched } : {}),
  });
  // Whatever stands at the entry's place now (unsound, unreadable, half-removed) is replaced.
  const found = existsSync(dir);
  const entry = await readEntry(dir, req);
  let refetched: string | undefined;
  if (entry) {
    await verifyHead(dir, req);
    // The bytes must be the pin's: a copy edited or damaged in the cache is never used as the pin.
    const mismatch = workTreeMismatch(dir, req.paths, entry.files);
    if (!mismatch) return tree(await withRecorded(dir, entry, req), true);
    if (offline) {
      throw new KbackportError(
        `source '${req.name}' at ${req.commit}: the cached copy does not match the pin: ${mismatch} (${dir})`,
        { where: req.whereCommit, hint: "run once without --offline to fetch it again" },
      );
    }
    refetched = `the cached copy did not match the pin (${mismatch}): fetched again`;
  } else if (offline) {
    throw new KbackportError(`source '${req.name}' at ${req.commit} is not in the cache (${dir})`, {
      where: req.whereCommit,
      hint: "run once without --offline to fetch it",
    });
  }
  // Unique per fetch: two fetches of one pin in one process must not share a temporary.
  const tmp = `${dir}.tmp-${process.pid}-${(fetchCount++).toString(36)}`;
  const dropTmp = removeOnInterrupt(tmp);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const g = await git(tmp);
    await g.init();
    await g.addRemote("origin", req.url);
    await g.addConfig("remote.origin.promisor", "true");
    await g.addConfig("remote.origin.partialclonefilter", "blob:none");
    await g.addConfig("core.sparseCheckout", "true");
    await g.addConfig("advice.detachedHead", "false");
    await writeFile(join(tmp, ".git/info/sparse-checkout"), "");
    try {
      await g.raw(["fetch", "--depth=1", "--filter=blob:none", "--no-tags", "origin", req.commit]);
    } catch (err) {
      throw fetchError(req, err);
    }
    const { kinds, files } = await checkTreeEntries(g, req);
    const patterns = req.paths.map((p) => (kinds.get(p) === "tree" ? `/${p}/` : `/${p}`));
    await writeFile(join(tmp, ".git/info/sparse-checkout"), `${patterns.join("\n")}\n`);
    await g.raw(["checkout", "--detach", req.commit]);
    await verifyHead(tmp, req);
    const fetched: EntryRecord = {
      url: req.url,
      commit: req.commit,
      paths: req.paths,
      ...(await commitFacts(g)),
      files,
      recorded: await recordedIds(g, req),
    };
    await writeFile(join(tmp, DONE_MARKER), JSON.stringify(fetched));
    const installed = await installEntry(tmp, dir, req, found);
    const record = installed ? fetched : await readEntry(dir, req);
    if (!record)
      throw new KbackportError(`source '${req.name}' at ${req.commit}: the cache entry ${dir} vanished`, {
        hint: "another process removed it while this run fetched: run again",
      });
    return tree(await withRecorded(dir, record, req), false, refetched);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    dropTmp();
  }
}

/** The pin's commit time and subject line. */
async function commitFacts(g: SimpleGit): Promise<{ committed: number; subject: string }> {
  const [time, ...subject] = (await g.raw(["log", "-1", "--format=%ct %s", "HEAD"])).trim().split(" ");
  return { committed: Number(time), subject: subject.join(" ") };
}

/** The blob ids of the request's `recordIds` at the pin, from its trees (no blob is fetched). */
async function recordedIds(g: SimpleGit, req: FetchRequest): Promise<Record<string, string | null>> {
  const wanted = req.recordIds ?? [];
  const recorded: Record<string, string | null> = Object.fromEntries(wanted.map((p) => [p, null]));
  if (wanted.length === 0) return recorded;
  for (const e of parseLsTree(await g.raw(["ls-tree", "-z", req.commit, "--", ...wanted]))) {
    if (e.type === "blob" && e.path in recorded) recorded[e.path] = e.id;
  }
  return recorded;
}

/** The entry's record, completed with ids the request asks for that an earlier fetch did not record. */
async function withRecorded(dir: string, entry: EntryRecord, req: FetchRequest): Promise<EntryRecord> {
  const missing = (req.recordIds ?? []).filter((p) => !(p in entry.recorded));
  if (missing.length === 0) return entry;
  const more = await recordedIds(await git(dir), { ...req, recordIds: missing });
  return { ...entry, recorded: { ...entry.recorded, ...more } };
}

/**
 * Removes `<entry>.tmp-<pid>` directories whose process is gone (killed mid-fetch): a live process's
 * temporary is its own, and a finished fetch renamed it into place.
 */
async function removeDeadTemporaries(parent: string): Promise<void> {
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    const m = /\.tmp-(\d+)-[0-9a-z]+$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** What git may see of the environment: enough to find itself, reach a proxy and use an ssh agent. */
const PASSED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "TMPDIR",
  "XDG_CONFIG_HOME",
  "SSH_AUTH_SOCK",
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
];

/**
 * simple-git in `dir`, with only the environment git needs and only the allowed transports. Loaded on
 * first use: a run whose sources are all cached starts no git and needs no git library.
 */
export async function git(dir: string): Promise<SimpleGit> {
  const { simpleGit } = await import("simple-git");
  const env: Record<string, string> = {};
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  return simpleGit({
    baseDir: dir,
    trimmed: false,
    allowEnvironment: ["GIT_ALLOW_PROTOCOL", "GIT_TERMINAL_PROMPT"],
  }).env({
    ...env,
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(":"),
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  });
}

/** The record of a complete entry for the request's pin; an entry from before records were kept counts as absent. */
async function readEntry(dir: string, req: FetchRequest): Promise<EntryRecord | undefined> {
  const marker = join(dir, DONE_MARKER);
  if (!existsSync(marker)) return undefined;
  let saved: Partial<EntryRecord>;
  try {
    saved = JSON.parse(await readFile(marker, "utf8")) as Partial<EntryRecord>;
  } catch {
    // A damaged record is no record: the entry is fetched again.
    return undefined;
  }
  if (saved.commit !== req.commit || !saved.files || !saved.recorded || saved.subject === undefined)
    return undefined;
  return saved as EntryRecord;
}

async function verifyHead(dir: string, req: FetchRequest): Promise<void> {
  const head = await headOf(dir);
  if (head !== req.commit) {
    throw new KbackportError(`source '${req.name}': checked out ${head}, expected the pin ${req.commit}`, {
      where: req.whereCommit,
      hint: "remove the cache directory and fetch again",
    });
  }
}

function fetchError(req: FetchRequest, err: unknown): KbackportError {
  const text = err instanceof Error ? err.message : String(err);
  if (
    /not our ref|couldn't find remote ref|no such remote ref|unadvertised object|bad object|not a valid object/i.test(
      text,
    )
  ) {
    return new KbackportError(`commit ${req.commit} of source '${req.name}' does not exist in ${req.url}`, {
      where: req.whereCommit,
      hint: "check the pin (git log in the upstream repository) or point --source at a repository that has it",
      cause: err,
    });
  }
  const first = text.split("\n").find((l) => /fatal|error/i.test(l)) ?? text.split("\n")[0];
  const fault = systemFault(err, `cannot fetch source '${req.name}' into the cache: ${first?.trim()}`, text);
  if (fault) return fault;
  return new KbackportError(`cannot fetch source '${req.name}' from ${req.url}: ${first?.trim()}`, {
    where: req.whereCommit,
    hint: "check the URL and your network, or use --offline with a filled cache",
    cause: err,
  });
}

/** The commit checked out in `dir`: a detached HEAD's file holds its id, so no git process is needed for it. */
async function headOf(dir: string): Promise<string> {
  const id = (await readFile(join(dir, ".git", "HEAD"), "utf8").catch(() => "")).trim();
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(id)) return id;
  return (await (await git(dir)).revparse(["HEAD"])).trim();
}
