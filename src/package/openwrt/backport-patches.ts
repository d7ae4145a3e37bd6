import { KbackportError } from "../../errors.js";
import type { UpstreamCommit } from "../../transform/rule.js";

/** A kernel patch of the run, with the upstream commit it mirrors. */
export interface RunKernelPatch {
  /** File name in patches/<series>/. */
  file: string;
  text: string;
  mirrors: UpstreamCommit;
  /** Its number in OpenWrt's backport directory. */
  number: number;
}

/** `NNN-vX.Y-<subject>.patch`, the subject slugged as git format-patch does (52 characters at most). */
export function backportName(p: RunKernelPatch): string {
  const slug = p.mirrors.subject
    .replace(/[^A-Za-z0-9_.]+/g, "-")
    .replace(/\.+/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 52)
    .replace(/[-.]+$/, "");
  return `${String(p.number).padStart(3, "0")}-v${p.mirrors.release}-${slug}.patch`;
}

/**
 * The patch in OpenWrt's backport form: the upstream commit's format-patch header (its id on the From
 * line, author, date, subject), "commit <id> upstream." and what the backport changed (the message of
 * kbackport's patch), then hunks with only ---/+++ lines, as a quilt refresh writes them.
 */
export function backportPatch(p: RunKernelPatch): string {
  const sep = p.text.indexOf("\n---\n");
  if (!p.text.startsWith("From: ") || sep < 0)
    throw new KbackportError(`patch ${p.file} has no mail header and '---' line`, {
      hint: "kbackport's kernel patches start with From:/Subject: and a message, then '---' and the hunks",
    });
  const message = p.text
    .slice(0, sep)
    .split("\n")
    .filter((l) => !/^(From|Subject|Date): /.test(l))
    .join("\n")
    .trim();
  const hunks = p.text
    .slice(sep + "\n---\n".length)
    .split("\n")
    .filter((l) => !/^(diff --git |index [0-9a-f]+\.\.[0-9a-f]+)/.test(l))
    .join("\n");
  const { commit, author, date, subject } = p.mirrors;
  const upstream = commit
    ? `commit ${commit} upstream.`
    : `Upstream "${subject}" (v${p.mirrors.release}); its commit id is not recorded.`;
  return [
    `From ${commit ?? "0".repeat(40)} Mon Sep 17 00:00:00 2001`,
    `From: ${author}`,
    `Date: ${date}`,
    `Subject: [PATCH] ${subject}`,
    "",
    upstream,
    "",
    message,
    "---",
    hunks,
  ].join("\n");
}
