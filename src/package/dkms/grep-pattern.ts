import { KbackportError } from "../../errors.js";

/** Escapes GNU grep -E reads as JavaScript does: its \s \S \w \W \b extensions and escaped specials. */
const SAME_ESCAPES = new Set([..."sSwWb", ..."(){}[]*+?.|^$"]);

/**
 * A pattern of the API knowledge base as `grep -zE` takes it: the same text, since for the forms the
 * knowledge base uses GNU grep's extended regular expressions and JavaScript's agree (with -z the whole
 * header is one record, so `\s` and `[^}]` span lines as they do in the probe). A form on which they
 * differ is refused, naming the pattern, so an entry that needs one fails the tests instead of being
 * checked differently at build time: lookaround and other `(?` groups, lazy repetition, backreferences,
 * `\d`, a bare `{` (a count in ERE), `.` (it matches a newline under -z), escapes inside a bracket, flags.
 */
export function grepPattern(pattern: RegExp): string {
  const src = pattern.source;
  const refuse = (what: string) =>
    new KbackportError(`pattern /${src}/ reads differently in grep -E: ${what}`, {
      hint: "write the API's pattern with literals, brackets without escapes, groups, |, *, + and ?, and \\s \\w \\b",
    });
  if (pattern.flags) throw refuse(`flags ${pattern.flags}`);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "\\") {
      if (next === undefined || !SAME_ESCAPES.has(next)) throw refuse(`\\${next ?? ""}`);
      i++;
    } else if (c === "[") {
      // A ] first in the bracket (after ^) is one of its characters.
      const first = src[i + 1] === "^" ? i + 2 : i + 1;
      const end = src.indexOf("]", first + 1);
      if (end < 0) throw refuse("an unclosed [");
      if (src.slice(i, end).includes("\\")) throw refuse(`an escape inside ${src.slice(i, end + 1)}`);
      i = end;
    } else if (c === "(" && next === "?") throw refuse("a (? group");
    else if ("*+?".includes(c) && next === "?") throw refuse("lazy repetition");
    else if (c === "{" || c === "}") throw refuse("a bare brace (a count in ERE)");
    else if (c === ".") throw refuse("'.' (under -z it also matches a newline)");
  }
  return src;
}
