/** A C token. Rules match `ident` and `punct` tokens only, so comments and strings are never edited. */
export interface Token {
  kind: "ident" | "number" | "string" | "char" | "header" | "punct" | "comment" | "space";
  text: string;
  start: number;
  end: number;
  line: number;
}

const PUNCTUATORS = [
  "<<=",
  ">>=",
  "...",
  "->",
  "++",
  "--",
  "<<",
  ">>",
  "<=",
  ">=",
  "==",
  "!=",
  "&&",
  "||",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "##",
];

/** Splits C source into tokens, keeping every character (concatenating all texts gives the input back). */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let directive = "";
  let lineHasCode = false;
  const push = (kind: Token["kind"], end: number) => {
    const text = src.slice(i, end);
    tokens.push({ kind, text, start: i, end, line });
    for (const ch of text) if (ch === "\n") line++;
    i = end;
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "\n") {
      lineHasCode = false;
      directive = "";
      push("space", i + 1);
    } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      push("space", i + 1);
    } else if (c === "\\" && (next === "\n" || (next === "\r" && src[i + 2] === "\n"))) {
      push("space", i + (next === "\n" ? 2 : 3));
    } else if (c === "/" && next === "*") {
      const close = src.indexOf("*/", i + 2);
      push("comment", close < 0 ? src.length : close + 2);
    } else if (c === "/" && next === "/") {
      let end = i;
      while (end < src.length && src[end] !== "\n") end += src[end] === "\\" && src[end + 1] === "\n" ? 2 : 1;
      push("comment", end);
    } else if (c === '"' || c === "'") {
      push(c === '"' ? "string" : "char", quotedEnd(src, i, c));
      lineHasCode = true;
    } else if (c === "<" && directive === "include") {
      const close = src.indexOf(">", i);
      push("header", close < 0 ? src.length : close + 1);
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < src.length && /[A-Za-z0-9_]/.test(src[end]!)) end++;
      if (directive === "#") directive = src.slice(i, end);
      push("ident", end);
      lineHasCode = true;
    } else if (/[0-9]/.test(c) || (c === "." && next !== undefined && /[0-9]/.test(next))) {
      let end = i + 1;
      while (end < src.length && /[A-Za-z0-9_.]/.test(src[end]!)) {
        end += /[eEpP]/.test(src[end]!) && /[+-]/.test(src[end + 1] ?? "") ? 2 : 1;
      }
      push("number", end);
      lineHasCode = true;
    } else {
      const op = PUNCTUATORS.find((p) => src.startsWith(p, i)) ?? c;
      if (c === "#" && !lineHasCode) directive = "#";
      push("punct", i + op.length);
      lineHasCode = true;
    }
  }
  return tokens;
}

function quotedEnd(src: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < src.length && src[i] !== quote && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
  return Math.min(i + 1, src.length);
}

/** The tokens that carry meaning (no spaces, no comments), each with its index in the full list. */
export function codeTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
}

/** The source with every comment replaced by spaces (line numbers kept): what probes search. */
export function stripComments(src: string): string {
  return tokenize(src)
    .map((t) => (t.kind === "comment" ? t.text.replace(/[^\n]/g, " ") : t.text))
    .join("");
}
