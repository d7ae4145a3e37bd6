/** A C token. Rules match `ident` and `punct` tokens only, so comments and strings are never edited. */
export interface Token {
  kind: "ident" | "number" | "string" | "char" | "header" | "punct" | "comment" | "space";
  text: string;
  start: number;
  end: number;
  line: number;
}

const KINDS: Token["kind"][] = [
  "space",
  "space",
  "comment",
  "comment",
  "string",
  "char",
  "ident",
  "number",
  "punct",
];

/** One alternative per kind, in KINDS order; sticky, so the whole input is read in one pass. */
const TOKEN = new RegExp(
  [
    /(\n)/,
    /([ \t\r\f\v]+|\\\r?\n)/,
    /(\/\*[\s\S]*?(?:\*\/|$))/,
    /(\/\/(?:[^\n\\]|\\[\s\S])*)/,
    /("(?:[^"\\\n]|\\[\s\S])*"?)/,
    /('(?:[^'\\\n]|\\[\s\S])*'?)/,
    /([A-Za-z_][A-Za-z0-9_]*)/,
    /(\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)/,
    /(<<=|>>=|\.\.\.|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|##|[\s\S])/,
  ]
    .map((r) => r.source)
    .join("|"),
  "y",
);

const cache = new Map<string, Token[]>();
const CACHE_SIZE = 64;

/**
 * Splits C source into tokens, keeping every character (concatenating all texts gives the input back).
 * Results are shared: several rules tokenize the same file text in one run.
 */
export function tokenize(src: string): readonly Token[] {
  const hit = cache.get(src);
  if (hit) return hit;
  const tokens = scan(src);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(src, tokens);
  return tokens;
}

function scan(src: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  // "#" at the start of a line, then the directive's name: `<...>` after #include is a header name.
  let directive = "";
  let lineHasCode = false;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    const start = TOKEN.lastIndex;
    if (directive === "include" && src.charCodeAt(start) === 60 /* < */) {
      const close = src.indexOf(">", start);
      const end = close < 0 ? src.length : close + 1;
      tokens.push({ kind: "header", text: src.slice(start, end), start, end, line });
      TOKEN.lastIndex = end;
      directive = "";
      continue;
    }
    const m = TOKEN.exec(src)!;
    let group = 0;
    while (m[group + 1] === undefined) group++;
    const kind = KINDS[group]!;
    const text = m[0];
    tokens.push({ kind, text, start, end: start + text.length, line });
    if (group === 0) {
      lineHasCode = false;
      directive = "";
    } else if (kind === "punct" && text === "#" && !lineHasCode) {
      directive = "#";
      lineHasCode = true;
    } else if (kind === "ident" && directive === "#") {
      directive = text;
    } else if (kind !== "space" && kind !== "comment") {
      lineHasCode = true;
    }
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) line++;
  }
  return tokens;
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
  return tokenize(src)
    .map((t) => (t.kind === "comment" ? t.text.replace(/[^\n]/g, " ") : t.text))
    .join("");
}
