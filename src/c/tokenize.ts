/** A C token. Rules match `ident` and `punct` tokens only, so comments and strings are never edited. */
export interface Token {
  kind: "ident" | "number" | "string" | "char" | "header" | "punct" | "comment" | "space";
  text: string;
  start: number;
  end: number;
  line: number;
}

/** Character classes by code unit: what an identifier, a number or a run of blanks may hold. */
const IDENT_START = new Uint8Array(128);
const IDENT = new Uint8Array(128);
const BLANK = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  IDENT_START[c] = Number(/[A-Za-z_]/.test(ch));
  IDENT[c] = Number(/[A-Za-z0-9_]/.test(ch));
  BLANK[c] = Number(/[ \t\r\f\v]/.test(ch));
}
const isIdentStart = (c: number) => c < 128 && IDENT_START[c] === 1;
const isIdent = (c: number) => c < 128 && IDENT[c] === 1;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Length of the operator at `pos` (first character `c`, then `next`): C's longest match, else 1. */
function operatorLength(src: string, pos: number, c: number, next: number): number {
  switch (c) {
    case 60: // <<= << <=
    case 62: // >>= >> >=
      if (next === c) return src.charCodeAt(pos + 2) === 61 ? 3 : 2;
      return next === 61 ? 2 : 1;
    case 46: // ...
      return next === 46 && src.charCodeAt(pos + 2) === 46 ? 3 : 1;
    case 45: // -> -- -=
      return next === 62 || next === 45 || next === 61 ? 2 : 1;
    case 43: // ++ +=
    case 38: // && &=
    case 124: // || |=
      return next === c || next === 61 ? 2 : 1;
    case 61: // ==
    case 33: // !=
    case 42: // *=
    case 47: // /=
    case 37: // %=
    case 94: // ^=
      return next === 61 ? 2 : 1;
    case 35: // ##
      return next === 35 ? 2 : 1;
    default:
      return 1;
  }
}

const cache = new Map<string, Token[]>();
const CACHE_SIZE = 64;

/**
 * Splits C source into tokens, keeping every character (concatenating all texts gives the input back).
 * Results are shared: the probes read one header for several APIs, the model one file for several facts.
 */
export function tokenize(src: string): readonly Token[] {
  const hit = cache.get(src);
  if (hit) return hit;
  const tokens = tokenizeUncached(src);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(src, tokens);
  return tokens;
}

/**
 * The same tokens, kept by nobody. `keep` says which are made: all of them, the code (no spaces, no
 * comments), or the comments alone; the others are lexed and skipped, never allocated.
 */
export function tokenizeUncached(src: string, keep: "all" | "code" | "comments" = "all"): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let line = 1;
  let pos = 0;
  // "#" at the start of a line, then the directive's name: `<...>` after #include is a header name.
  let directive = "";
  let lineHasCode = false;
  while (pos < n) {
    const start = pos;
    const c = src.charCodeAt(pos);
    const next = pos + 1 < n ? src.charCodeAt(pos + 1) : -1;
    let kind: Token["kind"];
    let multiline = false;
    if (directive === "include" && c === 60 /* < */) {
      const close = src.indexOf(">", start);
      pos = close < 0 ? n : close + 1;
      if (keep !== "comments")
        tokens.push({ kind: "header", text: src.slice(start, pos), start, end: pos, line });
      line += newlinesIn(src, start, pos);
      directive = "";
      continue;
    }
    if (c === 10) {
      kind = "space";
      pos++;
    } else if (c < 128 && BLANK[c] === 1) {
      kind = "space";
      pos++;
      while (pos < n && BLANK[src.charCodeAt(pos)] === 1) pos++;
    } else if (c === 92 /* \ */ && (next === 10 || (next === 13 && src.charCodeAt(pos + 2) === 10))) {
      kind = "space";
      pos += next === 10 ? 2 : 3;
      multiline = true;
    } else if (c === 47 /* / */ && next === 42 /* * */) {
      kind = "comment";
      const close = src.indexOf("*/", pos + 2);
      pos = close < 0 ? n : close + 2;
      multiline = true;
    } else if (c === 47 && next === 47) {
      kind = "comment";
      pos += 2;
      for (;;) {
        const d = src.charCodeAt(pos);
        if (pos >= n || d === 10) break;
        if (d === 92) {
          if (pos + 1 >= n) break;
          pos += 2;
        } else pos++;
      }
      multiline = true;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      kind = c === 34 ? "string" : "char";
      pos++;
      for (;;) {
        if (pos >= n) break;
        const d = src.charCodeAt(pos);
        if (d === c) {
          pos++;
          break;
        }
        if (d === 10) break;
        if (d === 92) {
          if (pos + 1 >= n) break;
          pos += 2;
        } else pos++;
      }
      multiline = true;
    } else if (isIdentStart(c)) {
      kind = "ident";
      pos++;
      while (pos < n && isIdent(src.charCodeAt(pos))) pos++;
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(next))) {
      kind = "number";
      pos += c === 46 ? 2 : 1;
      for (;;) {
        const d = src.charCodeAt(pos);
        const e = src.charCodeAt(pos + 1);
        if ((d === 101 || d === 69 || d === 112 || d === 80) && (e === 43 || e === 45)) pos += 2;
        else if (pos < n && (isIdent(d) || d === 46)) pos++;
        else break;
      }
    } else {
      kind = "punct";
      pos += operatorLength(src, pos, c, next);
    }
    const skipped =
      keep === "code" ? kind === "space" || kind === "comment" : keep === "comments" && kind !== "comment";
    if (!skipped) tokens.push({ kind, text: src.slice(start, pos), start, end: pos, line });
    if (c === 10) {
      line++;
      lineHasCode = false;
      directive = "";
    } else if (multiline) {
      line += newlinesIn(src, start, pos);
    }
    if (kind === "punct" && c === 35 /* # */ && pos === start + 1 && !lineHasCode) {
      directive = "#";
      lineHasCode = true;
    } else if (kind === "ident" && directive === "#") {
      directive = src.slice(start, pos);
    } else if (kind !== "space" && kind !== "comment") {
      lineHasCode = true;
    }
  }
  return tokens;
}

function newlinesIn(src: string, from: number, to: number): number {
  let count = 0;
  for (let i = src.indexOf("\n", from); i >= 0 && i < to; i = src.indexOf("\n", i + 1)) count++;
  return count;
}

const codeCache = new WeakMap<readonly Token[], Token[]>();

/** The tokens that carry meaning (no spaces, no comments). */
export function codeTokens(tokens: readonly Token[]): Token[] {
  let code = codeCache.get(tokens);
  if (!code) {
    code = tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
    codeCache.set(tokens, code);
  }
  return code;
}

const indexCache = new WeakMap<readonly Token[], Map<string, number[]>>();

/** Where each token text occurs in a list of code tokens: rules look up identifiers instead of scanning. */
export function tokenIndex(code: readonly Token[]): ReadonlyMap<string, readonly number[]> {
  let index = indexCache.get(code);
  if (!index) {
    index = new Map();
    code.forEach((t, i) => {
      const at = index!.get(t.text);
      if (at) at.push(i);
      else index!.set(t.text, [i]);
    });
    indexCache.set(code, index);
  }
  return index;
}

/** The source with every comment replaced by spaces (line numbers kept): what probes search. */
export function stripComments(src: string): string {
  let text = "";
  let at = 0;
  for (const comment of tokenizeUncached(src, "comments")) {
    text += src.slice(at, comment.start) + comment.text.replace(/[^\n]/g, " ");
    at = comment.end;
  }
  return text + src.slice(at);
}
