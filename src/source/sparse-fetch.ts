import { existsSync, renameSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { KbackportError } from "../errors.js";
import { removeOnInterrupt } from "../interrupt/registry.js";
import { digest } from "./cache.js";
import { checkTreeEntries } from "./tree-entries.js";
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
}

const DONE_MARKER = ".kbackport-source.json";

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
  const tree = async (cached: boolean): Promise<SourceTree> => ({
    name: req.name,
    url: req.url,
    commit: req.commit,
    dir,
    paths: req.paths,
    cached,
    committed: Number((await git(dir).raw(["log", "-1", "--format=%ct", "HEAD"])).trim()),
  });
  if (await isComplete(dir, req)) {
    await verifyHead(git(dir), req);
    return tree(true);
  }
  if (offline) {
    throw new KbackportError(`source '${req.name}' at ${req.commit} is not in the cache (${dir})`, {
      where: req.whereCommit,
      hint: "run once without --offline to fetch it",
    });
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  const dropTmp = removeOnInterrupt(tmp);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const g = git(tmp);
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
    const kinds = await checkTreeEntries(g, req);
    const patterns = req.paths.map((p) => (kinds.get(p) === "tree" ? `/${p}/` : `/${p}`));
    await writeFile(join(tmp, ".git/info/sparse-checkout"), `${patterns.join("\n")}\n`);
    await g.raw(["checkout", "--detach", req.commit]);
    await verifyHead(g, req);
    await writeFile(
      join(tmp, DONE_MARKER),
      JSON.stringify({ url: req.url, commit: req.commit, paths: req.paths }),
    );
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, ".."), { recursive: true });
    // Synchronous, so that an interrupt never removes an entry half-way through its move into place.
    renameSync(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    dropTmp();
  }
  return tree(false);
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

/** simple-git in `dir`, with only the environment git needs and only the allowed transports. */
export function git(dir: string): SimpleGit {
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

async function isComplete(dir: string, req: FetchRequest): Promise<boolean> {
  const marker = join(dir, DONE_MARKER);
  if (!existsSync(marker)) return false;
  const saved = JSON.parse(await readFile(marker, "utf8")) as { commit: string };
  return saved.commit === req.commit;
}

async function verifyHead(g: SimpleGit, req: FetchRequest): Promise<void> {
  const head = (await g.revparse(["HEAD"])).trim();
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
  return new KbackportError(`cannot fetch source '${req.name}' from ${req.url}: ${first?.trim()}`, {
    where: req.whereCommit,
    hint: "check the URL and your network, or use --offline with a filled cache",
    cause: err,
  });
}
