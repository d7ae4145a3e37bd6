import { describe, expect, it } from "vitest";
import { readCode } from "../../src/c/file.js";
import { KbackportError } from "../../src/errors.js";
import type { Feature } from "../../src/kernel/features.js";
import { findUses, transform, type FileOutcome, type OutcomeStore } from "../../src/transform/engine.js";
import type { Rule } from "../../src/transform/rule.js";
import { RULES } from "../../src/transform/rules/index.js";

const files = new Map([
  [
    "drivers/net/mhi_net.c",
    "#include <linux/delay.h>\nstruct s { u64_stats_t rx; };\nvoid f(struct s *s) { u64_stats_inc(&s->rx); fsleep(10); }\n",
  ],
  ["drivers/bus/mhi/host/pm.c", "/* fsleep(1) in a comment */\nvoid g(void) { }\n"],
]);

const features = (present: Record<string, boolean>) =>
  new Map<string, Feature>(
    Object.entries(present).map(([id, p]) => [
      id,
      {
        id,
        present: p,
        introduced: "5.5",
        byVersion: p,
        evidence: p ? `include/x.h:1: ${id}` : "not found in include/x.h",
      },
    ]),
  );

const components = [
  { name: "mhi_net", files: ["drivers/net/mhi_net.c"], rules: ["u64-stats", "fsleep"] },
  { name: "mhi", files: ["drivers/bus/mhi/host/pm.c"], rules: ["fsleep", "trace-assign-str-one-arg"] },
];

describe("transform engine", () => {
  it("runs a rule only where the target lacks its feature, and keeps the evidence", () => {
    const result = transform({
      files,
      components,
      features: features({ u64_stats_t: true, fsleep: true, trace_assign_str_one_arg: true }),
      rules: RULES,
    });
    expect(result.changed.size).toBe(0);
    expect(result.compatHeaders.size).toBe(0);
    const u64 = result.rules.find((r) => r.id === "u64-stats")!;
    expect(u64).toMatchObject({
      needed: false,
      applied: false,
      stale: false,
      sites: [],
      evidence: "include/x.h:1: u64_stats_t",
    });
  });

  it("reports sites per file, compat wrappers, and a needed rule that matched nothing as stale", () => {
    const result = transform({
      files,
      components,
      features: features({ u64_stats_t: false, fsleep: false, trace_assign_str_one_arg: false }),
      rules: RULES,
    });
    expect(result.changed.get("drivers/net/mhi_net.c")).toContain("struct s { u64 rx; };");
    const byId = Object.fromEntries(result.rules.map((r) => [r.id, r]));
    expect(byId["u64-stats"]!.sites).toEqual([
      { file: "drivers/net/mhi_net.c", line: 2 },
      { file: "drivers/net/mhi_net.c", line: 3 },
    ]);
    expect(byId.fsleep!.sites).toEqual([{ file: "drivers/net/mhi_net.c", line: 3 }]);
    expect(byId.fsleep!.components).toEqual(["mhi_net", "mhi"]);
    expect(byId["trace-assign-str-one-arg"]).toMatchObject({ needed: true, applied: false, stale: true });
    const wrapper = result.compatHeaders.get("linux/delay.h")!;
    expect(wrapper).toContain("#include_next <linux/delay.h>");
    expect(wrapper).toContain("#define fsleep LINUX_BACKPORT(fsleep)");
    expect(wrapper).toContain('c6af13d33475 ("timer: add fsleep for flexible sleeping")');
    expect(result.rules.map((r) => r.id)).not.toContain("rtnl-link-alloc");
  });

  it("finds uses of token sequences, not of text in strings", () => {
    expect(findUses(readCode("x.c", 'x = { .alloc = f };\ny = ".alloc = no";\n'), [".alloc ="])).toEqual([1]);
  });

  it("fails with the rules and the file:line when two rules' edits overlap", () => {
    const replace = (id: string, text: string): Rule => ({
      id,
      kind: "rewrite",
      feature: "u64_stats_t",
      summary: id,
      rewrite: ({ code }) => {
        const t = code.find((c) => c.text === "u64_stats_t")!;
        return [{ start: t.start, end: t.end, text }];
      },
    });
    const run = () =>
      transform({
        files: new Map([["x.c", "int a;\nu64_stats_t b;\n"]]),
        components: [{ name: "c", files: ["x.c"], rules: ["one", "two"] }],
        features: features({ u64_stats_t: false }),
        rules: [replace("one", "u64"), replace("two", "s64")],
      });
    expect(run).toThrow(KbackportError);
    expect(run).toThrow(
      expect.objectContaining({ where: "x.c:2", message: expect.stringContaining("rules one and two") }),
    );
  });

  it("keeps each file's outcome by its text and the rules it met, and gives the same result from it", () => {
    const saved = new Map<string, FileOutcome>();
    let reads = 0;
    const outcomes: OutcomeStore = {
      get: (key) => {
        reads++;
        return saved.get(key);
      },
      set: (key, outcome) => saved.set(key, outcome),
    };
    let rewrites = 0;
    const counted = RULES.map((r) =>
      r.rewrite
        ? {
            ...r,
            rewrite: (file: Parameters<NonNullable<Rule["rewrite"]>>[0]) => {
              rewrites++;
              return r.rewrite!(file);
            },
          }
        : r,
    );
    const missing = features({ u64_stats_t: false, fsleep: false, trace_assign_str_one_arg: false });
    const run = (input: ReadonlyMap<string, string>) =>
      transform({ files: input, components, features: missing, rules: counted, outcomes });
    const first = run(files);
    // mhi_net.c meets u64-stats (a rewrite) and fsleep (a compat); pm.c names fsleep in a comment only.
    expect([saved.size, reads, rewrites]).toEqual([2, 2, 1]);
    const again = run(files);
    expect([saved.size, reads, rewrites]).toEqual([2, 4, 1]);
    expect(again).toEqual(first);
    expect(again).toEqual(transform({ files, components, features: missing, rules: RULES }));

    const edited = new Map(files).set("drivers/net/mhi_net.c", `${files.get("drivers/net/mhi_net.c")}\n`);
    expect(run(edited).changed.get("drivers/net/mhi_net.c")).toBe(
      `${first.changed.get("drivers/net/mhi_net.c")}\n`,
    );
    expect([saved.size, rewrites]).toEqual([3, 2]);
    // The same text meeting other rules is another outcome; pm.c meets fsleep alone, as before.
    transform({
      files,
      components,
      features: features({ u64_stats_t: true, fsleep: false, trace_assign_str_one_arg: false }),
      rules: counted,
      outcomes,
    });
    expect(saved.size).toBe(4);
  });
});
