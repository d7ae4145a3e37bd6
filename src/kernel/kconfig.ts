import { KbackportError } from "../errors.js";

/** Tristate values as Kconfig orders them: n < m < y. */
export type Tristate = 0 | 1 | 2;

export interface KconfigSelect {
  symbol: string;
  /** The `if` condition of the select, when it has one. */
  if?: string;
}

export interface KconfigEntry {
  symbol: string;
  /** Its own `depends on` expressions, in order. */
  depends: string[];
  /** The conditions around it, outermost first: enclosing `if` blocks and `depends on` of enclosing menus and choices. */
  within: string[];
  selects: KconfigSelect[];
  line: number;
}

/** A block whose conditions apply to every entry inside it. */
interface Block {
  kind: "if" | "menu" | "choice";
  conditions: string[];
  /** Where it opens, for the error when it is not closed. */
  line: number;
}

/** Keywords that end the attributes of the entry before them. */
const STATEMENT = /^(config|menuconfig|choice|endchoice|comment|menu|endmenu|if|endif|source|mainmenu)\b/;
const HELP = /^(help|---help---)$/;
/** Lines a `\` continuation cannot reach: Kconfig reads their keyword, not a word of the expression. */
const NOT_CONTINUABLE =
  /^(config|menuconfig|choice|endchoice|comment|menu|endmenu|endif|source|mainmenu|help|---help---)(\s|$)/;

/** Columns of the leading whitespace, a tab moving to the next multiple of 8 as Kconfig counts it. */
function indentation(line: string): number {
  let column = 0;
  for (const c of line) {
    if (c === " ") column++;
    else if (c === "\t") column = (column & ~7) + 8;
    else break;
  }
  return column;
}

const withoutComment = (line: string) =>
  line.replace(/("[^"]*")|#.*$/g, (_, quoted?: string) => quoted ?? "").trim();

/**
 * The `config` and `menuconfig` entries of a Kconfig file, the first definition of each symbol. Lines
 * ending in `\` continue on the next one; help text (`help`/`---help---`, ended by a line indented less
 * than its first line) is skipped.
 */
export function parseKconfig(text: string, file: string): Map<string, KconfigEntry> {
  const entries = new Map<string, KconfigEntry>();
  const blocks: Block[] = [];
  /** What `depends on` and `select` lines attach to: an entry, a menu or choice, or nothing we keep. */
  let owner: KconfigEntry | Block | undefined;
  const lines = text.split("\n");
  const fail = (index: number, message: string): never => {
    throw new KbackportError(message, { where: `${file}:${index + 1}` });
  };
  const close = (index: number, kind: Block["kind"], keyword: string) => {
    if (blocks.pop()?.kind !== kind) fail(index, `${keyword} without a matching ${kind}`);
    owner = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = withoutComment(lines[i]!);
    while (line.endsWith("\\") && i + 1 < lines.length) {
      const next = withoutComment(lines[++i]!);
      if (NOT_CONTINUABLE.test(next))
        fail(
          start,
          `the line continued with \\ runs into "${next}" on line ${i + 1}: its expression is incomplete`,
        );
      line = `${line.slice(0, -1).trimEnd()} ${next}`.trim();
    }
    let m: RegExpExecArray | null;
    if (HELP.test(line)) {
      // Help text: every following line indented at least as much as its first non-empty line.
      let first: number | undefined;
      while (i + 1 < lines.length) {
        const next = lines[i + 1]!;
        if (next.trim() !== "") {
          first ??= indentation(next);
          if (first === 0 || indentation(next) < first) break;
        }
        i++;
      }
    } else if ((m = /^(?:menu)?config\s+(\w+)$/.exec(line))) {
      const entry: KconfigEntry = {
        symbol: m[1]!,
        depends: [],
        within: blocks.flatMap((b) => b.conditions),
        selects: [],
        line: start + 1,
      };
      owner = entry;
      if (!entries.has(entry.symbol)) entries.set(entry.symbol, entry);
    } else if ((m = /^if\s+(.+)$/.exec(line))) {
      blocks.push({ kind: "if", conditions: [m[1]!], line: start + 1 });
      owner = undefined;
    } else if ((m = /^(menu|choice)\b/.exec(line))) {
      owner = { kind: m[1] as Block["kind"], conditions: [], line: start + 1 };
      blocks.push(owner);
    } else if ((m = /^(endif|endmenu|endchoice)$/.exec(line))) {
      close(start, m[1] === "endif" ? "if" : m[1] === "endmenu" ? "menu" : "choice", m[1]!);
    } else if (STATEMENT.test(line)) {
      owner = undefined;
    } else if ((m = /^depends\s+on\s+(.+)$/.exec(line))) {
      if (owner && "kind" in owner) owner.conditions.push(m[1]!);
      else owner?.depends.push(m[1]!);
    } else if ((m = /^select\s+(\w+)(?:\s+if\s+(.+))?$/.exec(line)) && owner && !("kind" in owner)) {
      owner.selects.push(m[2] === undefined ? { symbol: m[1]! } : { symbol: m[1]!, if: m[2] });
    }
  }
  const open = blocks.at(-1);
  if (open) fail(open.line - 1, `${open.kind} block not closed by end${open.kind}`);
  return entries;
}

/** Evaluates a Kconfig expression (&&, ||, !, =, !=, parentheses) with tristate logic. */
export function evaluate(expr: string, value: (symbol: string) => Tristate): Tristate {
  const tokens = expr.match(/&&|\|\||[!<>]=|[!()=<>]|[A-Za-z0-9_]+|"[^"]*"|\S/g) ?? [];
  // Numeric comparisons and $(...) macros need values this evaluator does not have.
  const unsupported = tokens.find((t) => !/^(&&|\|\||!=|[!()=]|\w+|"[^"]*")$/.test(t));
  if (unsupported !== undefined)
    throw new Error(`unsupported "${unsupported}" in Kconfig expression: ${expr}`);
  let pos = 0;
  const peek = () => tokens[pos];
  const atom = (t: string): Tristate => (t === "y" ? 2 : t === "m" ? 1 : t === "n" ? 0 : value(t));
  const incomplete = () => new Error(`incomplete Kconfig expression: ${expr}`);
  const operand = () => {
    const t = tokens[pos++];
    if (t === undefined || /^(&&|\|\||!=|[!()=])$/.test(t)) throw incomplete();
    return t;
  };
  const primary = (): Tristate => {
    if (peek() === "!") {
      pos++;
      return (2 - primary()) as Tristate;
    }
    if (peek() === "(") {
      pos++;
      const v = or();
      if (tokens[pos++] !== ")") throw incomplete();
      return v;
    }
    const t = operand();
    if (peek() === "=" || peek() === "!=") {
      const op = tokens[pos++];
      const same = atom(t) === atom(operand().replace(/"/g, ""));
      return (op === "=") === same ? 2 : 0;
    }
    return atom(t);
  };
  const and = (): Tristate => {
    let v = primary();
    while (peek() === "&&") {
      pos++;
      v = Math.min(v, primary()) as Tristate;
    }
    return v;
  };
  const or = (): Tristate => {
    let v = and();
    while (peek() === "||") {
      pos++;
      v = Math.max(v, and()) as Tristate;
    }
    return v;
  };
  const result = or();
  if (pos < tokens.length) throw new Error(`unexpected "${tokens[pos]}" in Kconfig expression: ${expr}`);
  return result;
}
