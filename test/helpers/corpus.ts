import { execFileSync } from "node:child_process";

/** The subsystems a whole-tree run of every rule covers: the recipe's drivers live there, and so do their peers. */
export const CORPUS_DIRS = ["drivers/net", "drivers/bus"];

/** Every .c/.h file under `dirs` at `commit` of a git repository: tree path → text, read in one git call. */
export function readCorpus(repo: string, commit: string, dirs: readonly string[] = CORPUS_DIRS) {
  const listing = execFileSync("git", ["-C", repo, "ls-tree", "-r", "-z", commit, "--", ...dirs], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const blobs = listing
    .split("\0")
    .filter(Boolean)
    .map((entry) => {
      const [meta, path] = entry.split("\t") as [string, string];
      return { path, id: meta.split(" ")[2]! };
    })
    .filter((b) => /\.[ch]$/.test(b.path));
  const out = execFileSync("git", ["-C", repo, "cat-file", "--batch"], {
    input: blobs.map((b) => b.id).join("\n") + "\n",
    maxBuffer: 2 ** 30,
  });
  const files = new Map<string, string>();
  let pos = 0;
  for (const blob of blobs) {
    const header = out.indexOf(10, pos);
    const size = Number(out.toString("latin1", pos, header).split(" ")[2]);
    files.set(blob.path, out.toString("utf8", header + 1, header + 1 + size));
    pos = header + 1 + size + 1;
  }
  return files;
}
