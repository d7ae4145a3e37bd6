import type { Feature, Features } from "../kernel/features.js";
import { applyEdits } from "../c/edit.js";
import { codeTokens, tokenIndex, tokenize } from "../c/tokenize.js";
import type { CompatDefinition, Rule, Site } from "./rule.js";

export interface TransformInput {
  /** Every copied source file: tree-relative path → text. */
  files: ReadonlyMap<string, string>;
  /** Per component: its files (tree-relative) and the rules its recipe names. */
  components: readonly { name: string; files: readonly string[]; rules: readonly string[] }[];
  features: Features;
  rules: readonly Rule[];
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

/** Runs every rule the components name, on their files, when the target lacks the rule's feature. */
export function transform(input: TransformInput): TransformResult {
  const current = new Map(input.files);
  const changed = new Map<string, string>();
  const compat: (CompatDefinition & Pick<Rule, "feature" | "upstream">)[] = [];
  const reports: RuleReport[] = [];

  for (const rule of input.rules) {
    const users = input.components.filter((c) => c.rules.includes(rule.id));
    if (users.length === 0) continue;
    const feature: Pick<Feature, "present" | "evidence"> = input.features.get(rule.feature) ?? {
      present: false,
      evidence: "not probed: unknown feature",
    };
    const files = [...new Set(users.flatMap((c) => c.files))].filter((f) => C_FILE.test(f)).sort();
    const sites: Site[] = [];
    if (!feature.present) {
      for (const file of files) {
        const text = current.get(file)!;
        if (rule.rewrite) {
          const edits = rule.rewrite(text, file);
          if (edits.length === 0) continue;
          for (const e of edits) sites.push({ file, line: lineAt(text, e.start) });
          const next = applyEdits(text, edits);
          current.set(file, next);
          changed.set(file, next);
        } else {
          sites.push(...findUses(text, rule.uses ?? []).map((line) => ({ file, line })));
        }
      }
      if (rule.compat && sites.length > 0)
        compat.push({ ...rule.compat, feature: rule.feature, upstream: rule.upstream });
    }
    reports.push({
      id: rule.id,
      kind: rule.kind,
      feature: rule.feature,
      upstream: rule.upstream,
      summary: rule.summary,
      components: users.map((c) => c.name),
      needed: !feature.present,
      evidence: feature.evidence,
      applied: sites.length > 0,
      stale: !feature.present && sites.length === 0,
      sites,
      ...(rule.patch ? { patch: rule.patch.file, degraded: rule.patch.degraded } : {}),
    });
  }
  return { changed, compatHeaders: compatHeaders(compat), rules: reports };
}

/** Lines on which any of the token sequences occurs. */
export function findUses(text: string, uses: readonly string[]): number[] {
  const code = codeTokens(tokenize(text));
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

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** One wrapper per kernel header: the kernel's own header first, then the definitions it lacks. */
function compatHeaders(
  rules: readonly (CompatDefinition & Pick<Rule, "feature" | "upstream">)[],
): Map<string, string> {
  const byHeader = new Map<string, (CompatDefinition & Pick<Rule, "feature" | "upstream">)[]>();
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
