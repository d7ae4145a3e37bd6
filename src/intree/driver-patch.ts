/**
 * A patch that adds the backport tree to a kernel source tree under `prefix`, one new file per entry,
 * in path order so the same tree always gives the same patch.
 */
export function driverPatch(files: ReadonlyMap<string, string>, prefix: string): string {
  const out: string[] = [];
  for (const path of [...files.keys()].sort()) {
    const text = files.get(path)!;
    const target = `${prefix}/${path}`;
    // git's header: GNU patch creates empty files only from it.
    out.push(
      `diff --git a/${target} b/${target}`,
      "new file mode 100644",
      "--- /dev/null",
      `+++ b/${target}`,
    );
    if (text.length === 0) continue;
    const lines = text.split("\n");
    const complete = lines.at(-1) === "";
    if (complete) lines.pop();
    out.push(`@@ -0,0 +1${lines.length === 1 ? "" : `,${lines.length}`} @@`, ...lines.map((l) => `+${l}`));
    if (!complete) out.push("\\ No newline at end of file");
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** The tree paths a unified diff touches, from its `+++`/`---` lines (a/ and b/ prefixes dropped). */
export function patchedPaths(patch: string): string[] {
  const paths = new Set<string>();
  for (const m of patch.matchAll(/^(?:\+\+\+|---) (\S+)/gm)) {
    const path = m[1]!;
    if (path === "/dev/null") continue;
    paths.add(path.replace(/^[ab]\//, ""));
  }
  return [...paths].sort();
}
