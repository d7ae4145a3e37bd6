import { KbackportError } from "../errors.js";
import type { KernelApi, MirroredCommit } from "../kernel/api.js";

/**
 * The head of a kernel patch as `git format-patch` writes the upstream commit it mirrors, the form OpenWrt's
 * backports keep: the mbox line with the commit's id (none where the id is unknown), author, date, subject.
 */
export function kernelPatchHeader(api: KernelApi): string {
  const commit = mirrored(api);
  return [
    ...(commit.id ? [`From ${commit.id} Mon Sep 17 00:00:00 2001`] : []),
    `From: ${commit.author}`,
    `Date: ${commit.date}`,
    `Subject: [PATCH] ${commit.subject}`,
    "",
  ].join("\n");
}

/**
 * A kernel patch for one series: the header of the API's upstream commit, kbackport's note on the backport,
 * the commit's trailers (its Signed-off-by chain), then the hunks. `source` is the file in patches/<series>/
 * (`name`): the note, a `---` line and the hunks, nothing the knowledge base says.
 */
export function kernelPatch(api: KernelApi, source: string, name: string): string {
  const sep = source.startsWith("---\n") ? 0 : source.indexOf("\n---\n") + 1;
  if (sep === 0 && !source.startsWith("---\n"))
    throw new KbackportError(`kernel patch ${name} has no '---' line before its hunks`, {
      hint: "a file in patches/<series>/ holds kbackport's note, a '---' line, then the hunks",
    });
  const note = source.slice(0, sep).trim();
  return [
    kernelPatchHeader(api),
    ...(note ? [note, ""] : []),
    ...mirrored(api).trailers,
    source.slice(sep),
  ].join("\n");
}

function mirrored(api: KernelApi): MirroredCommit {
  if (!("trailers" in api.upstream))
    throw new Error(`${api.id}: a kernel patch mirrors its commit, but its entry has no author and trailers`);
  return api.upstream;
}
