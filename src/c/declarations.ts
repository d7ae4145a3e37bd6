import { findCalls, matchingClose } from "./navigate.js";
import type { Token } from "./tokenize.js";

/** A `struct <type> NAME [attributes] = { ... }` definition: the name and the braces' token indices. */
export interface Initializer {
  name: string;
  /** Index of the `const` before `struct`, when there is one. */
  constAt?: number;
  /** Index of the definition's first token (`static`, `const` or `struct`). */
  first: number;
  open: number;
  close: number;
}

/**
 * Every initialized definition of a struct type, e.g. `static struct rtnl_link_ops ops __read_mostly = {`
 * or an array of them, `static const struct rpmsg_device_id ids[] = {`.
 */
export function structInitializers(code: readonly Token[], structType: string): Initializer[] {
  const found: Initializer[] = [];
  for (let i = 0; i + 3 < code.length; i++) {
    if (code[i]!.text !== "struct" || code[i + 1]!.text !== structType || code[i + 2]!.kind !== "ident")
      continue;
    let eq = i + 3;
    if (code[eq]?.text === "[" && code[eq + 1]?.text === "]") eq += 2;
    while (eq < code.length && code[eq]!.kind === "ident") eq++; // attributes such as __read_mostly
    if (code[eq]?.text !== "=" || code[eq + 1]?.text !== "{") continue;
    const close = matchingClose(code, eq + 1);
    if (close < 0) continue;
    const constAt = code[i - 1]?.text === "const" ? i - 1 : undefined;
    let first = constAt ?? i;
    while (code[first - 1]?.text === "static" || code[first - 1]?.text === "const") first--;
    found.push({ name: code[i + 2]!.text, constAt, first, open: eq + 1, close });
  }
  return found;
}

/** The `.member = value` entries of an initializer: indices of the `.`, of the value, and of a trailing `,`. */
export function designatedMembers(code: readonly Token[], init: Initializer, member: string) {
  const entries: { dot: number; value: number; comma?: number }[] = [];
  for (let j = init.open + 1; j + 3 <= init.close; j++) {
    if (
      code[j]!.text === "." &&
      code[j + 1]!.text === member &&
      code[j + 2]!.text === "=" &&
      code[j + 3]!.kind === "ident"
    ) {
      entries.push({ dot: j, value: j + 3, comma: code[j + 4]?.text === "," ? j + 4 : undefined });
    }
  }
  return entries;
}

/** Names of the functions assigned to `.member` in initializers of `struct <structType>`. */
export function initializerCallbacks(code: readonly Token[], structType: string, member: string): string[] {
  return structInitializers(code, structType).flatMap((init) =>
    designatedMembers(code, init, member).map((m) => code[m.value]!.text),
  );
}

/** The parameter list (open and close paren) and body of each definition of function `name`. */
export function functionDefinitions(
  code: readonly Token[],
  name: string,
): { open: number; close: number; bodyEnd: number }[] {
  // A definition is a call-shaped name whose parameter list a body follows.
  return findCalls(code, name)
    .filter(({ close }) => code[close + 1]?.text === "{")
    .map(({ open, close }) => ({ open, close, bodyEnd: matchingClose(code, close + 1) }));
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

/** Index of the first token of the top-level declaration or definition that contains token `at`. */
export function topLevelStart(code: readonly Token[], at: number): number {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < at; i++) {
    const t = code[i]!.text;
    if (t === "{" || t === "(" || t === "[") depth++;
    else if (t === "}" || t === ")" || t === "]") {
      depth--;
      if (depth === 0 && t === "}" && code[i + 1]?.text !== ";") start = i + 1;
    } else if (t === ";" && depth === 0) start = i + 1;
  }
  // Preprocessor lines are not declarations: step past any that end right before the definition.
  while (start < at && code[start]!.text === "#") {
    const line = code[start]!.line;
    while (start < at && code[start]!.line === line) start++;
  }
  return start;
}
