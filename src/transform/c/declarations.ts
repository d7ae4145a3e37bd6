import { matchingClose } from "./navigate.js";
import type { Token } from "./tokenize.js";

/** Names of the functions assigned to `.member` in initializers of `struct <structType> NAME = { ... }`. */
export function initializerCallbacks(code: readonly Token[], structType: string, member: string): string[] {
  const names: string[] = [];
  for (let i = 0; i + 3 < code.length; i++) {
    if (code[i]!.text !== "struct" || code[i + 1]!.text !== structType || code[i + 2]!.kind !== "ident")
      continue;
    if (code[i + 3]!.text !== "=" || code[i + 4]?.text !== "{") continue;
    const close = matchingClose(code, i + 4);
    for (let j = i + 5; j + 3 < close; j++) {
      if (
        code[j]!.text === "." &&
        code[j + 1]!.text === member &&
        code[j + 2]!.text === "=" &&
        code[j + 3]!.kind === "ident"
      ) {
        names.push(code[j + 3]!.text);
      }
    }
  }
  return names;
}

/** The parameter list (open and close paren) of each definition of function `name`: `name(...) {`. */
export function functionDefinitions(code: readonly Token[], name: string): { open: number; close: number }[] {
  const defs: { open: number; close: number }[] = [];
  for (let i = 0; i + 1 < code.length; i++) {
    if (code[i]!.kind !== "ident" || code[i]!.text !== name || code[i + 1]!.text !== "(") continue;
    const close = matchingClose(code, i + 1);
    if (close > 0 && code[close + 1]?.text === "{") defs.push({ open: i + 1, close });
  }
  return defs;
}

/** Indices of `const` tokens directly before `struct <type>` between two token indices. */
export function constBeforeStruct(code: readonly Token[], from: number, to: number, type: string): number[] {
  const found: number[] = [];
  for (let i = from; i + 2 <= to; i++) {
    if (code[i]!.text === "const" && code[i + 1]!.text === "struct" && code[i + 2]!.text === type)
      found.push(i);
  }
  return found;
}
