import { tokenIndex, type Token } from "./tokenize.js";

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Index of the bracket closing the one at `open` in a list of code tokens, or -1. */
export function matchingClose(code: readonly Token[], open: number): number {
  const stack: string[] = [];
  for (let i = open; i < code.length; i++) {
    const t = code[i]!.text;
    if (t in OPEN) stack.push(OPEN[t]!);
    else if (t === ")" || t === "]" || t === "}") {
      if (stack.pop() !== t) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** The top-level comma-separated arguments between `open` and its closing bracket, as [first, last] index pairs. */
export function splitArguments(code: readonly Token[], open: number, close: number): [number, number][] {
  const args: [number, number][] = [];
  let depth = 0;
  let first = open + 1;
  for (let i = open + 1; i < close; i++) {
    const t = code[i]!.text;
    if (t in OPEN) depth++;
    else if (t === ")" || t === "]" || t === "}") depth--;
    else if (t === "," && depth === 0) {
      args.push([first, i - 1]);
      first = i + 1;
    }
  }
  if (close > open + 1) args.push([first, close - 1]);
  return args;
}

/**
 * Calls of `name(...)` in a list of code tokens: index of the name token, the open and the close paren.
 * The name's places come from the list's token index, so a rule asking for several names reads it once.
 */
export function findCalls(
  code: readonly Token[],
  name: string,
): { name: number; open: number; close: number }[] {
  const calls: { name: number; open: number; close: number }[] = [];
  for (const i of tokenIndex(code).get(name) ?? []) {
    if (code[i]!.kind !== "ident" || code[i + 1]?.text !== "(") continue;
    const close = matchingClose(code, i + 1);
    if (close > 0) calls.push({ name: i, open: i + 1, close });
  }
  return calls;
}
