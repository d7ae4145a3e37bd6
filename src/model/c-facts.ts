import { KbackportError } from "../errors.js";
import { matchingClose, splitArguments } from "../c/navigate.js";
import { parseC, type CFile } from "../c/file.js";
import type { Token } from "../c/tokenize.js";
import type { StructField, StructLayout, TreeReader } from "./types.js";

export function readC(read: TreeReader, path: string, lookingFor: string): CFile {
  const text = read(path);
  if (text === undefined)
    throw new KbackportError(`file not found, looking for ${lookingFor}`, { where: path });
  return parseC(path, text);
}

export function at(file: CFile, index: number): string {
  return `${file.path}:${file.code[index]?.line ?? 1}`;
}

/** The text of a code token range, tokens joined by single spaces. */
export function textOf(code: readonly Token[], first: number, last: number): string {
  return code
    .slice(first, last + 1)
    .map((t) => t.text)
    .join(" ");
}

/** The value of a string literal token (upstream's id strings carry no escapes). */
export function stringValue(token: Token): string {
  return token.text.slice(1, -1);
}

/** Object-like `#define NAME body` macros of a file (first definition wins); function-like ones are left out. */
export function objectMacros(file: CFile): Map<string, Token[]> {
  const macros = new Map<string, Token[]>();
  const { tokens } = file;
  let lineStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "space" || t.kind === "comment") {
      if (t.text === "\n") lineStart = true;
      continue;
    }
    const directive = lineStart && t.text === "#";
    lineStart = false;
    if (!directive) continue;
    const keyword = nextOnLine(tokens, i);
    if (tokens[keyword]?.text !== "define") continue;
    const name = nextOnLine(tokens, keyword);
    if (tokens[name]?.kind !== "ident") continue;
    // A "(" touching the name makes the macro function-like.
    if (tokens[name + 1]?.text === "(") continue;
    const body: Token[] = [];
    let j = name + 1;
    for (; j < tokens.length && tokens[j]!.text !== "\n"; j++) {
      if (tokens[j]!.kind !== "space" && tokens[j]!.kind !== "comment") body.push(tokens[j]!);
    }
    if (!macros.has(tokens[name]!.text)) macros.set(tokens[name]!.text, body);
    i = j - 1;
  }
  return macros;
}

/** Index of the first token after `from` that is not a space or comment, staying on the logical line. */
function nextOnLine(tokens: readonly Token[], from: number): number {
  let j = from + 1;
  while (
    tokens[j] &&
    (tokens[j]!.kind === "comment" || (tokens[j]!.kind === "space" && tokens[j]!.text !== "\n"))
  )
    j++;
  return j;
}

/** An enum definition: its enumerators in order, each with the tokens of its explicit value, if any. */
export interface EnumDef {
  tag?: string;
  enumerators: { name: string; value?: [number, number] }[];
}

/** Every `enum [tag] { ... }` definition of a file. */
export function enumDefinitions(file: CFile): EnumDef[] {
  const { code } = file;
  const found: EnumDef[] = [];
  for (let i = 0; i + 1 < code.length; i++) {
    if (code[i]!.text !== "enum") continue;
    const tag = code[i + 1]!.kind === "ident" ? code[i + 1]!.text : undefined;
    const open = tag ? i + 2 : i + 1;
    if (code[open]?.text !== "{") continue;
    const close = matchingClose(code, open);
    if (close < 0) continue;
    const enumerators = splitArguments(code, open, close)
      .filter(([first, last]) => first <= last)
      .map(([first, last]) => ({
        name: code[first]!.text,
        value: code[first + 1]?.text === "=" ? ([first + 2, last] as [number, number]) : undefined,
      }));
    found.push({ tag, enumerators });
  }
  return found;
}

/**
 * Resolves integer constants: object-like macros and enumerators of a list of files, searched in order, #if
 * blocks not evaluated. Files are read when first needed, so `read` lists only the ones that mattered.
 */
export class CScope {
  private readonly files = new Map<string, { file: CFile; macros: Map<string, Token[]>; enums: EnumDef[] }>();
  private readonly enumValues = new Map<EnumDef, Map<string, number>>();
  private readonly resolving = new Set<string>();
  /** Paths read so far, in order. */
  readonly read: string[] = [];

  constructor(
    private readonly reader: TreeReader,
    private readonly paths: readonly string[],
  ) {}

  has(path: string): boolean {
    return this.files.has(path) || this.reader(path) !== undefined;
  }

  file(path: string, lookingFor: string) {
    let entry = this.files.get(path);
    if (!entry) {
      const file = readC(this.reader, path, lookingFor);
      this.read.push(path);
      entry = { file, macros: objectMacros(file), enums: enumDefinitions(file) };
      this.files.set(path, entry);
    }
    return entry;
  }

  /** The value of a macro or enumerator, or undefined when no file of the scope defines it. */
  lookup(name: string): number | undefined {
    if (this.resolving.has(name))
      throw new KbackportError(`${name} is defined in terms of itself`, { where: this.paths[0] });
    this.resolving.add(name);
    try {
      for (const path of this.paths) {
        const { file, macros, enums } = this.file(path, name);
        const body = macros.get(name);
        if (body) return evaluate(body, 0, body.length - 1, (n) => this.lookup(n), `${name} in ${path}`);
        const def = enums.find((e) => e.enumerators.some((x) => x.name === name));
        if (def) return this.enumerators(file, def).get(name);
      }
      return undefined;
    } finally {
      this.resolving.delete(name);
    }
  }

  /** The file of the scope that defines a macro or enumerator `name`. */
  source(name: string): string | undefined {
    return this.paths.find((path) => {
      const { macros, enums } = this.file(path, name);
      return macros.has(name) || enums.some((e) => e.enumerators.some((x) => x.name === name));
    });
  }

  /** Like lookup, but a name no file defines is an error that says where it was looked for. */
  value(name: string): number {
    const v = this.lookup(name);
    if (v === undefined)
      throw new KbackportError(`${name} is not defined (looked in ${this.paths.join(", ")})`, {
        where: this.paths[0],
      });
    return v;
  }

  /** Every enumerator of an enum with its value: explicit ones evaluated, the others one more than the last. */
  enumerators(file: CFile, def: EnumDef): Map<string, number> {
    let values = this.enumValues.get(def);
    if (!values) {
      const local = new Map<string, number>();
      let next = 0;
      for (const e of def.enumerators) {
        const v = e.value
          ? evaluate(
              file.code,
              e.value[0],
              e.value[1],
              (n) => local.get(n) ?? this.lookup(n),
              at(file, e.value[0]),
            )
          : next;
        local.set(e.name, v);
        next = v + 1;
      }
      values = local;
      this.enumValues.set(def, values);
    }
    return values;
  }

  /** The enum with tag `tag` in `path`, or the one that declares enumerator `member`, with its values. */
  findEnum(path: string, by: { tag: string } | { member: string }): Map<string, number> {
    const { file, enums } = this.file(
      path,
      "tag" in by ? `enum ${by.tag}` : `the enum declaring ${by.member}`,
    );
    const def = enums.find((e) =>
      "tag" in by ? e.tag === by.tag : e.enumerators.some((x) => x.name === by.member),
    );
    if (!def)
      throw new KbackportError("tag" in by ? `enum ${by.tag} not found` : `no enum declares ${by.member}`, {
        where: path,
      });
    return this.enumerators(file, def);
  }
}

const BINARY: Record<string, number> = {
  "*": 5,
  "/": 5,
  "%": 5,
  "+": 4,
  "-": 4,
  "<<": 3,
  ">>": 3,
  "&": 2,
  "^": 1,
  "|": 0,
};

/**
 * Evaluates an integer constant expression between two code token indices: literals, names (through
 * `lookup`), parentheses, unary - + ~ and the arithmetic, shift and bitwise operators. Anything else, such as
 * sizeof or a function-like macro, is an error naming `where`.
 */
export function evaluate(
  code: readonly Token[],
  first: number,
  last: number,
  lookup: (name: string) => number | undefined,
  where: string,
): number {
  let pos = first;
  const fail = (what: string): never => {
    throw new KbackportError(`cannot evaluate ${textOf(code, first, last)}: ${what}`, { where });
  };
  const operand = (): bigint => {
    const t = code[pos++];
    if (!t || pos - 1 > last) return fail("incomplete expression");
    if (t.text === "(") {
      const v = binary(0);
      if (code[pos++]?.text !== ")") fail("unbalanced parentheses");
      return v;
    }
    if (t.text === "-") return -operand();
    if (t.text === "+") return operand();
    if (t.text === "~") return ~operand();
    if (t.kind === "number") return integer(t.text) ?? fail(`${t.text} is not an integer`);
    if (t.kind === "ident") {
      if (code[pos]?.text === "(" && pos <= last) fail(`${t.text}(...) is not a constant`);
      const v = lookup(t.text);
      return v === undefined ? fail(`${t.text} is not defined`) : BigInt(v);
    }
    return fail(`unexpected ${t.text}`);
  };
  const binary = (min: number): bigint => {
    let left = operand();
    for (;;) {
      const op = pos <= last ? code[pos]!.text : undefined;
      const prec = op === undefined ? undefined : BINARY[op];
      if (prec === undefined || prec < min) return left;
      pos++;
      const right = binary(prec + 1);
      left = apply(op!, left, right);
    }
  };
  const value = binary(0);
  if (pos <= last) fail(`unexpected ${code[pos]!.text}`);
  return Number(value);
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return a % b;
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "<<":
      return a << b;
    case ">>":
      return a >> b;
    case "&":
      return a & b;
    case "^":
      return a ^ b;
    default:
      return a | b;
  }
}

/** A C integer literal (decimal, hex or octal, any U/L suffix); undefined for anything else. */
function integer(text: string): bigint | undefined {
  const digits = text.replace(/[uUlL]+$/, "");
  if (/^0[xX][0-9a-fA-F]+$/.test(digits) || /^[1-9][0-9]*$|^0$/.test(digits)) return BigInt(digits);
  if (/^0[0-7]+$/.test(digits)) return BigInt(`0o${digits.slice(1)}`);
  return undefined;
}

/** Bytes of the fixed-width kernel integer types, the only ones wire structures use. */
const TYPE_SIZES: Record<string, number> = Object.fromEntries(
  [8, 16, 32, 64].flatMap((bits) => {
    const names = [`u${bits}`, `s${bits}`, `__u${bits}`, `__s${bits}`];
    if (bits > 8) names.push(`__le${bits}`, `__be${bits}`);
    return names.map((n) => [n, bits / 8]);
  }),
);

/** Attributes that may follow a member's name; they do not change the packed layout. */
const ATTRIBUTES = new Set(["__packed", "__aligned", "__attribute__"]);

/**
 * The layout of `struct name { ... }` in a file, or undefined when the file does not define it.
 * Sizes are packed: the sum of the members, no padding. A run of bitfields of one type takes its bits
 * rounded up to whole bytes.
 */
export function structLayout(scope: CScope, path: string, name: string): StructLayout | undefined {
  const { file } = scope.file(path, `struct ${name}`);
  const { code } = file;
  const start = code.findIndex(
    (t, i) => t.text === "struct" && code[i + 1]?.text === name && code[i + 2]?.text === "{",
  );
  if (start < 0) return undefined;
  const open = start + 2;
  const close = matchingClose(code, open);
  const fields: StructField[] = [];
  let first = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (code[i]!.text === "{") fail(file, i, `struct ${name}: nested definitions are not supported`);
    if (code[i]!.text !== ";") continue;
    fields.push(member(scope, file, first, i - 1, name));
    first = i + 1;
  }
  let size = 0;
  let run: { type: string; bits: number } | undefined;
  const endRun = () => {
    if (run) size += Math.ceil(run.bits / 8);
    run = undefined;
  };
  fields.forEach((f, i) => {
    const bytes = TYPE_SIZES[f.type];
    if (bytes === undefined)
      fail(file, start, `struct ${name}: size of ${f.name}'s type ${f.type} is unknown`);
    if (f.bits === undefined) {
      endRun();
      size += bytes * (f.count ?? 1);
    } else {
      if (run?.type !== f.type) endRun();
      run = { type: f.type, bits: (run?.bits ?? 0) + f.bits };
    }
    if (i === fields.length - 1) endRun();
  });
  return { name, fields, size, source: path };
}

/** One member declaration `type name [count] [: bits] [attributes]` between two token indices. */
function member(scope: CScope, file: CFile, first: number, last: number, struct: string): StructField {
  const { code } = file;
  let end = last;
  // Strip trailing attributes, with their argument lists.
  for (;;) {
    if (code[end]?.text === ")") {
      const open = matchingOpen(code, end);
      if (ATTRIBUTES.has(code[open - 1]?.text ?? "")) {
        end = open - 2;
        continue;
      }
    }
    if (ATTRIBUTES.has(code[end]?.text ?? "")) {
      end--;
      continue;
    }
    break;
  }
  const resolve = (n: string) => scope.lookup(n);
  let bits: number | undefined;
  const colon = code.slice(first, end + 1).findIndex((t) => t.text === ":");
  if (colon >= 0) {
    bits = evaluate(code, first + colon + 1, end, resolve, at(file, first));
    end = first + colon - 1;
  }
  let count: number | undefined;
  if (code[end]?.text === "]") {
    let open = end;
    while (open > first && code[open]!.text !== "[") open--;
    count = evaluate(code, open + 1, end - 1, resolve, at(file, open));
    end = open - 1;
  }
  if (code[end]?.kind !== "ident" || end <= first)
    fail(file, first, `struct ${struct}: cannot read member ${textOf(code, first, last)}`);
  const field: StructField = { name: code[end]!.text, type: textOf(code, first, end - 1) };
  if (bits !== undefined) field.bits = bits;
  if (count !== undefined) field.count = count;
  return field;
}

/** Index of the "(" that the ")" at `close` closes, or -1. */
function matchingOpen(code: readonly Token[], close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (code[i]!.text === ")") depth++;
    else if (code[i]!.text === "(" && --depth === 0) return i;
  }
  return -1;
}

function fail(file: CFile, index: number, message: string): never {
  throw new KbackportError(message, { where: at(file, index) });
}
