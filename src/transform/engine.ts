import { applyEdits, EditConflict, type Edit } from "../c/edit.js";
import { readCode, type CCode } from "../c/file.js";
import { markFinder } from "../c/mentions.js";
import { codeTokens, tokenIndex, tokenize } from "../c/tokenize.js";
import { KbackportError } from "../errors.js";
import { digest } from "../source/cache.js";
import { citation, kernelApi, marksOf, type KernelApi } from "../kernel/api.js";
import type { Feature, Features } from "../kernel/features.js";
import type { CompatDefinition, Rule, Site } from "./rule.js";

export interface TransformInput {
  /** Every copied source file: tree-relative path → text. */
  files: ReadonlyMap<string, string>;
  /** Per component: its files (tree-relative) and the rules its recipe names. */
  components: readonly { name: string; files: readonly string[]; rules: readonly string[] }[];
  features: Features;
  rules: readonly Rule[];
  /** Where what the rules did to a file is kept, so the same text meets the same rules only once. */
  outcomes?: OutcomeStore;
}

/** What the rules a file met did to it: each rule's site lines, and the new text when any edited it. */
export interface FileOutcome {
  sites: Record<string, number[]>;
  text?: string;
}

/** Keeps file outcomes across runs, by a key naming the file, its text and the rules it met. */
export interface OutcomeStore {
  get(key: string): FileOutcome | undefined;
  set(key: string, outcome: FileOutcome): void;
}

export interface RuleReport {
  id: string;
  kind: Rule["kind"];
  feature: string;
  upstream: string;
  summary: string;
  components: string[];
  /** The target lacks the feature (or it was assumed missing). */
  needed: boolean;
  evidence: string;
  applied: boolean;
  /** Needed, yet nothing in the sources matched: upstream moved on and the rule should be revisited. */
  stale: boolean;
  sites: Site[];
  /** kernel-patch rules: the patch file name and what an unpatched kernel loses. */
  patch?: string;
  degraded?: string;
}

export interface TransformResult {
  /** Files whose text the rules changed: path → new text. */
  changed: Map<string, string>;
  /** Generated compat wrapper headers: include name ("linux/delay.h") → text. */
  compatHeaders: Map<string, string>;
  rules: RuleReport[];
}

const C_FILE = /\.[ch]$/;

interface Upstream {
  feature: string;
  upstream: string;
}

/** One rule that the target needs, with what it reads: its files, and the names that mark a file for it. */
interface Needed {
  rule: Rule;
  files: ReadonlySet<string>;
  marks: readonly string[];
  uses: readonly string[];
  sites: Site[];
}

type RuleEdit = Edit & { rule: Rule };

/**
 * Runs every rule the components name, on their files, when the target lacks the rule's feature. Each file
 * is read once: a plain search of the names that mark a rule's API picks the rules that may match; the
 * file is tokenized once for all of them, and their edits are applied together (nested edits compose).
 */
export function transform(input: TransformInput): TransformResult {
  const changed = new Map<string, string>();
  const reports: RuleReport[] = [];
  const needed: Needed[] = [];

  for (const rule of input.rules) {
    const users = input.components.filter((c) => c.rules.includes(rule.id));
    if (users.length === 0) continue;
    const api: KernelApi = kernelApi(rule.feature);
    const feature: Pick<Feature, "present" | "evidence"> = input.features.get(rule.feature) ?? {
      present: false,
      evidence: "not probed: unknown feature",
    };
    const sites: Site[] = [];
    if (!feature.present) {
      const files = new Set(users.flatMap((c) => c.files).filter((f) => C_FILE.test(f)));
      needed.push({ rule, files, marks: marksOf(api), uses: api.uses ?? [], sites });
    }
    reports.push({
      id: rule.id,
      kind: rule.kind,
      feature: rule.feature,
      upstream: citation(api.upstream),
      summary: rule.summary,
      components: users.map((c) => c.name),
      needed: !feature.present,
      evidence: feature.evidence,
      applied: false,
      stale: false,
      sites,
      ...(rule.patch ? { patch: rule.patch.file, degraded: rule.patch.degraded } : {}),
    });
  }

  const paths = [...new Set(needed.flatMap((n) => [...n.files]))].sort();
  const marksIn = markFinder(needed.flatMap((n) => n.marks));
  for (const path of paths) {
    const text = input.files.get(path)!;
    const marked = marksIn(text);
    const here = needed.filter((n) => n.files.has(path) && n.marks.some((m) => marked.has(m)));
    if (here.length === 0) continue;
    const key = input.outcomes && digest(path, text, ...here.map((n) => n.rule.id));
    let outcome = key === undefined ? undefined : input.outcomes!.get(key);
    if (!outcome) {
      outcome = fileOutcome(readCode(path, text), here);
      if (key !== undefined) input.outcomes!.set(key, outcome);
    }
    for (const n of here)
      n.sites.push(...(outcome.sites[n.rule.id] ?? []).map((line) => ({ file: path, line })));
    if (outcome.text !== undefined) changed.set(path, outcome.text);
  }

  const compat: (CompatDefinition & Upstream)[] = [];
  for (const report of reports) {
    report.applied = report.sites.length > 0;
    report.stale = report.needed && !report.applied;
    const rule = input.rules.find((r) => r.id === report.id)!;
    if (rule.compat && report.applied)
      compat.push({ ...rule.compat, feature: report.feature, upstream: report.upstream });
  }
  return { changed, compatHeaders: compatHeaders(compat), rules: reports };
}

/** Runs the rules on one file: rewrites give their edits' lines, the others their API's uses. */
function fileOutcome(file: CCode, here: readonly Needed[]): FileOutcome {
  const sites: Record<string, number[]> = {};
  const edits: RuleEdit[] = [];
  for (const n of here) {
    if (n.rule.rewrite) {
      const own = n.rule.rewrite(file);
      sites[n.rule.id] = own.map((e) => lineAt(file, e.start));
      edits.push(...own.map((e) => ({ ...e, rule: n.rule })));
    } else {
      sites[n.rule.id] = findUses(file, n.uses);
    }
  }
  return edits.length > 0 ? { sites, text: applyRuleEdits(file, edits) } : { sites };
}

/** The file's text with every rule's edits; two that cannot both apply are an error naming them and the line. */
function applyRuleEdits(file: CCode, edits: readonly RuleEdit[]): string {
  try {
    return applyEdits(file.text, edits);
  } catch (err) {
    if (!(err instanceof EditConflict)) throw err;
    const { first, second } = err as EditConflict<RuleEdit>;
    const rules =
      first.rule === second.rule
        ? `rule ${first.rule.id} makes two edits`
        : `rules ${first.rule.id} and ${second.rule.id} make edits`;
    throw new KbackportError(`${rules} that overlap without one keeping the other's text`, {
      where: `${file.path}:${lineAt(file, second.start)}`,
      hint: "the rules cannot rewrite this code as written upstream: report it with the lines shown",
    });
  }
}

/** Lines on which any of the token sequences occurs. */
export function findUses(file: CCode, uses: readonly string[]): number[] {
  const { code } = file;
  const index = tokenIndex(code);
  const starts = new Set<number>();
  for (const use of uses) {
    const pattern = codeTokens(tokenize(use)).map((t) => t.text);
    for (const i of index.get(pattern[0]!) ?? []) {
      if (pattern.every((t, k) => code[i + k]?.text === t && code[i + k]!.kind !== "string")) starts.add(i);
    }
  }
  return [...starts].sort((a, b) => a - b).map((i) => code[i]!.line);
}

/** The line of a character offset: the line of the last token starting at or before it, plus its newlines. */
function lineAt(file: CCode, offset: number): number {
  const { code: tokens, text } = file;
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tokens[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  // Before the first code token (above a leading comment), count from the top of the file.
  const token = tokens[lo] && tokens[lo]!.start <= offset ? tokens[lo] : undefined;
  let line = token?.line ?? 1;
  for (let i = token?.start ?? 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** One wrapper per kernel header: the kernel's own header first, then the definitions it lacks. */
function compatHeaders(rules: readonly (CompatDefinition & Upstream)[]): Map<string, string> {
  const byHeader = new Map<string, (CompatDefinition & Upstream)[]>();
  for (const rule of rules) byHeader.set(rule.header, [...(byHeader.get(rule.header) ?? []), rule]);
  const out = new Map<string, string>();
  for (const [header, list] of byHeader) {
    const guard = `__KBACKPORT_${header.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
    const blocks = list.map((r) => `/* ${r.feature}: ${r.upstream} */\n${r.definition}\n`);
    out.set(
      header,
      [
        "/* SPDX-License-Identifier: GPL-2.0 */",
        `/* Generated by kbackport: what <${header}> lacks on this target. */`,
        `#ifndef ${guard}`,
        `#define ${guard}`,
        `#include_next <${header}>`,
        "#include <kbackport/backport.h>",
        "",
        ...blocks,
        `#endif /* ${guard} */`,
        "",
      ].join("\n"),
    );
  }
  return out;
}
