/**
 * Whether the identifiers of `mark` ("u64_stats_t", or a sequence such as "const struct class") occur in
 * C text as whole words, one after another with only blanks, comments or line continuations between. A
 * plain pass over the text, no tokens made; it may accept a file where the words are only in a comment,
 * never reject one whose code has them.
 */
export function mentions(text: string, mark: string): boolean {
  const [first, ...rest] = mark.split(" ") as [string, ...string[]];
  for (let i = text.indexOf(first); i >= 0; i = text.indexOf(first, i + 1)) {
    if (isWordAt(text, i - 1) || isWordAt(text, i + first.length)) continue;
    let pos = i + first.length;
    const follows = rest.every((word) => {
      pos = skipBlanks(text, pos);
      if (!text.startsWith(word, pos) || isWordAt(text, pos + word.length)) return false;
      pos += word.length;
      return true;
    });
    if (follows) return true;
  }
  return false;
}

function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The first offset from `pos` that is not a blank, a comment or a line continuation. */
function skipBlanks(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    const next = text.charCodeAt(pos + 1);
    if (c === 32 || (c >= 9 && c <= 13)) pos++;
    else if (c === 92 && next === 10) pos += 2;
    else if (c === 92 && next === 13 && text.charCodeAt(pos + 2) === 10) pos += 3;
    else if (c === 47 && next === 42) {
      const close = text.indexOf("*/", pos + 2);
      pos = close < 0 ? text.length : close + 2;
    } else if (c === 47 && next === 47) {
      pos += 2;
      while (pos < text.length && text.charCodeAt(pos) !== 10) pos += text.charCodeAt(pos) === 92 ? 2 : 1;
    } else return pos;
  }
}

/**
 * A search for many marks in one pass over a text: which of them it mentions (as `mentions` decides). One
 * regular expression finds the last word of every mark; a sequence is checked only where its word occurs.
 */
export function markFinder(marks: readonly string[]): (text: string) => ReadonlySet<string> {
  const byWord = new Map<string, string[]>();
  for (const mark of new Set(marks)) {
    if (!/^\w+( \w+)*$/.test(mark)) throw new Error(`mark '${mark}' is not a sequence of identifiers`);
    const word = mark.split(" ").at(-1)!;
    byWord.set(word, [...(byWord.get(word) ?? []), mark]);
  }
  const words = [...byWord.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`\\b(?:${words.join("|")})\\b`, "g");
  return (text) => {
    const found = new Set<string>();
    const seen = new Set<string>();
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      for (const mark of byWord.get(m[0])!) if (!mark.includes(" ") || mentions(text, mark)) found.add(mark);
    }
    return found;
  };
}
