/** Tristate values as Kconfig orders them: n < m < y. */
export type Tristate = 0 | 1 | 2;

export interface KconfigEntry {
  symbol: string;
  /** Every condition the symbol needs: its `depends on` lines and the `if` blocks around it. */
  depends: string[];
  line: number;
}

/** The `config` entries of a Kconfig file with their dependencies (enclosing `if` blocks included). */
export function parseKconfig(text: string): Map<string, KconfigEntry> {
  const entries = new Map<string, KconfigEntry>();
  const ifs: string[] = [];
  let current: KconfigEntry | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:menu)?config\s+(\w+)$/.exec(line))) {
      current = { symbol: m[1]!, depends: [...ifs], line: index + 1 };
      entries.set(current.symbol, current);
    } else if ((m = /^if\s+(.+)$/.exec(line))) {
      ifs.push(m[1]!);
      current = undefined;
    } else if (line === "endif") {
      ifs.pop();
      current = undefined;
    } else if (/^(menu|endmenu|choice|endchoice|source|comment)\b/.test(line)) {
      current = undefined;
    } else if (current && (m = /^depends\s+on\s+(.+)$/.exec(line))) {
      current.depends.push(m[1]!);
    }
  });
  return entries;
}

/** Evaluates a Kconfig expression (&&, ||, !, =, !=, parentheses) with tristate logic. */
export function evaluate(expr: string, value: (symbol: string) => Tristate): Tristate {
  const tokens = expr.match(/&&|\|\||!=|[!()=]|[A-Za-z0-9_]+|"[^"]*"/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const atom = (t: string): Tristate => (t === "y" ? 2 : t === "m" ? 1 : t === "n" ? 0 : value(t));
  const primary = (): Tristate => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`incomplete Kconfig expression: ${expr}`);
    if (t === "!") return (2 - primary()) as Tristate;
    if (t === "(") {
      const v = or();
      pos++; // ")"
      return v;
    }
    if (peek() === "=" || peek() === "!=") {
      const op = tokens[pos++];
      const other = tokens[pos++]!;
      const same = atom(t) === atom(other.replace(/"/g, ""));
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
  return or();
}
