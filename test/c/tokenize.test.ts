import { describe, expect, it } from "vitest";
import { codeTokens, stripComments, tokenize, tokenizeUncached } from "../../src/c/tokenize.js";

const SRC = `#include <linux/u64_stats_sync.h>
/* u64_stats_t in a comment */
static const char *s = "u64_stats_inc(&x)"; // u64_stats_t
#define ADD(a, b) \\
	((a) += (b))
u64_stats_t x = 0x1fULL; c = 'u';
`;

describe("C tokenizer", () => {
  it("gives back the input when its tokens are joined", () => {
    expect(
      tokenize(SRC)
        .map((t) => t.text)
        .join(""),
    ).toBe(SRC);
  });

  it("keeps comments, strings and include names out of identifiers", () => {
    const idents = codeTokens(tokenize(SRC))
      .filter((t) => t.kind === "ident")
      .map((t) => t.text);
    expect(idents.filter((t) => t.startsWith("u64_stats"))).toEqual(["u64_stats_t"]);
    expect(tokenize(SRC).find((t) => t.kind === "header")?.text).toBe("<linux/u64_stats_sync.h>");
    expect(
      tokenize(SRC)
        .filter((t) => t.kind === "string")
        .map((t) => t.text),
    ).toEqual(['"u64_stats_inc(&x)"']);
  });

  it("counts lines across continuations and comments", () => {
    const x = codeTokens(tokenize(SRC)).find((t) => t.text === "u64_stats_t")!;
    expect(x.line).toBe(6);
    expect(codeTokens(tokenize(SRC)).find((t) => t.text === "+=")!.line).toBe(5);
  });

  it("blanks comments but keeps their lines", () => {
    const stripped = stripComments(SRC);
    expect(stripped).not.toContain("in a comment");
    expect(stripped.split("\n")).toHaveLength(SRC.split("\n").length);
  });

  it("keeps what only looks like a comment inside a string", () => {
    expect(stripComments("s = \"/* kept */\"; /* gone */ t = '/';\n")).toBe(
      's = "/* kept */";' + " ".repeat(12) + "t = '/';\n",
    );
  });

  it("makes only the tokens asked for, each as the whole lexing makes it", () => {
    const all = tokenize(SRC);
    expect(tokenizeUncached(SRC, "code")).toEqual(codeTokens(all));
    expect(tokenizeUncached(SRC, "comments")).toEqual(all.filter((t) => t.kind === "comment"));
    expect(tokenizeUncached(SRC, "comments").map((t) => t.line)).toEqual([2, 3]);
  });
});
