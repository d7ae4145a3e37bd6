import { describe, expect, it } from "vitest";
import { markFinder, mentions } from "../../src/c/mentions.js";

describe("searching C text for a rule's marks", () => {
  it("finds an identifier as a whole word only", () => {
    expect(mentions("x = fsleep(10);", "fsleep")).toBe(true);
    expect(mentions("x = do_fsleep(10) + fsleep_us;", "fsleep")).toBe(false);
  });

  it("finds a sequence across blanks, comments and line continuations", () => {
    expect(mentions("static const struct class c;", "const struct class")).toBe(true);
    expect(mentions("const /* ro */ struct\n\tclass c;", "const struct class")).toBe(true);
    expect(mentions("#define C const struct \\\n class c", "const struct class")).toBe(true);
    expect(mentions("const struct // x\n class c;", "const struct class")).toBe(true);
  });

  it("rejects a sequence broken by code or by a longer word", () => {
    expect(mentions("const struct class_attribute a; struct class *c;", "const struct class")).toBe(false);
    expect(mentions("const int x; struct class c;", "const struct class")).toBe(false);
  });
});

describe("searching for many marks at once", () => {
  it("gives the marks a text mentions, as one search per mark would", () => {
    const marks = ["fsleep", "const struct class", "class", "u64_stats_t"];
    const find = markFinder(marks);
    const texts = ["struct class *c; fsleep(1);", "static const struct /* */ class c;", "u64_stats_tx"];
    for (const text of texts) {
      expect([...find(text)].sort()).toEqual(marks.filter((m) => mentions(text, m)).sort());
    }
    expect([...find(texts[1]!)].sort()).toEqual(["class", "const struct class"]);
  });
});
