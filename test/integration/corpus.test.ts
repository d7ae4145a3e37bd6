import { beforeAll, describe, expect, inject, it } from "vitest";
import { readCode } from "../../src/c/file.js";
import { kernelApi, type ApiId, type KernelApi } from "../../src/kernel/api.js";
import { mentions } from "../../src/c/mentions.js";
import { transform, type TransformResult } from "../../src/transform/engine.js";
import { RULES } from "../../src/transform/rules/index.js";
import { CORPUS_DIRS, readCorpus } from "../helpers/corpus.js";

const apiOf = (id: ApiId): KernelApi => kernelApi(id);

/** Every rule over whole subsystems of upstream 6.12, on a target that lacks every feature. */
const everyRule = (files: ReadonlyMap<string, string>): TransformResult =>
  transform({
    files,
    components: [{ name: "corpus", files: [...files.keys()], rules: RULES.map((r) => r.id) }],
    features: new Map(),
    rules: RULES,
  });

describe(`every rule over ${CORPUS_DIRS.join(" and ")} at 6.12`, () => {
  let files: Map<string, string>;
  let result: TransformResult;

  beforeAll(() => {
    const { repo, commit } = inject("upstream");
    files = readCorpus(repo, commit);
    result = everyRule(files);
  });

  it("runs without error and changes what the rules match", () => {
    expect(files.size).toBeGreaterThan(5000);
    const rewrites = RULES.filter((r) => r.kind === "rewrite").map((r) => r.id);
    for (const id of rewrites) {
      expect(result.rules.find((r) => r.id === id)!.sites.length, id).toBeGreaterThan(0);
    }
    expect(result.changed.size).toBeGreaterThan(0);
  });

  it("reports each site by file and line; a use on the line that has it", () => {
    for (const report of result.rules) {
      const uses = apiOf(RULES.find((r) => r.id === report.id)!.feature).uses ?? [];
      for (const site of report.sites) {
        const where = `${report.id} ${site.file}:${site.line}`;
        const line = files.get(site.file)?.split("\n")[site.line - 1];
        expect(line, where).toBeDefined();
        if (report.kind === "compat")
          expect(
            uses.some((u) => mentions(line!, u)),
            where,
          ).toBe(true);
      }
    }
  });

  it("leaves no use of a helper a rewrite removes", () => {
    for (const rule of RULES.filter((r) => r.rewrite && !r.compat)) {
      const removed = new Set(apiOf(rule.feature).uses ?? []);
      if (removed.size === 0) continue;
      const left = [...files.keys()].flatMap((path) => {
        const text = result.changed.get(path) ?? files.get(path)!;
        if (![...removed].some((name) => mentions(text, name))) return [];
        return readCode(path, text)
          .code.filter((t) => t.kind === "ident" && removed.has(t.text))
          .map((t) => `${path}:${t.line}: ${t.text}`);
      });
      expect(left, rule.id).toEqual([]);
    }
  });

  it("rewrites each file once: the rules change nothing in their own output", () => {
    const again = everyRule(result.changed);
    for (const [path, text] of again.changed) expect(text, path).toBe(result.changed.get(path));
    const rewritten = again.rules.filter((r) => r.kind !== "compat" && r.sites.length > 0);
    expect(rewritten.map((r) => `${r.id}: ${r.sites.map((s) => `${s.file}:${s.line}`).join(", ")}`)).toEqual(
      [],
    );
  });
});
