import { describe, expect, it } from "vitest";
import { applyEdits, EditConflict } from "../../src/c/edit.js";

describe("applying edits", () => {
  const src = "f(g(a), b);";

  it("applies an edit inside a range another edit keeps, in that range", () => {
    const outer = {
      start: 0,
      end: 10,
      text: ["(", { start: 2, end: 6 }, ") + (", { start: 8, end: 9 }, ")"],
    };
    const inner = { start: 2, end: 4, text: "h(" };
    const type = { start: 8, end: 9, text: "c" };
    expect(applyEdits(src, [type, outer, inner])).toBe("(h(a)) + (c);");
  });

  it("keeps the order of insertions at one offset, before a replacement starting there", () => {
    const edits = [
      { start: 0, end: 1, text: "F" },
      { start: 0, end: 0, text: "/* 1 */ " },
      { start: 0, end: 0, text: "/* 2 */ " },
    ];
    expect(applyEdits(src, edits)).toBe("/* 1 */ /* 2 */ F(g(a), b);");
  });

  it("refuses edits that overlap without one keeping the other", () => {
    const a = { start: 0, end: 4, text: "x" };
    const b = { start: 2, end: 6, text: "y" };
    expect(() => applyEdits(src, [a, b])).toThrow(EditConflict);
    const dropping = { start: 0, end: 10, text: ["(", { start: 8, end: 9 }, ")"] };
    expect(() => applyEdits(src, [dropping, b])).toThrow(EditConflict);
  });
});
