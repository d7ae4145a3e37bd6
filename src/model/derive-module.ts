import { KbackportError } from "../errors.js";
import { structInitializers } from "../c/declarations.js";
import { at, CScope, evaluate, readC, stringValue, textOf } from "./c-facts.js";
import type { CFile } from "../c/file.js";
import { findCalls, matchingClose, splitArguments } from "../c/navigate.js";
import type { Token } from "../c/tokenize.js";
import { parseKconfig } from "../kernel/kconfig.js";
import type { DeviceId, ModuleModel, ModuleParam, Registration, TreeReader } from "./types.js";

interface ModuleSpec {
  name: string;
  /** The Makefile objects the module is linked from, as source paths. */
  files: readonly string[];
  kconfig: string;
  symbol: string;
}

const WWAN = "drivers/net/wwan";

/** The modules of the model, from the Makefiles: what each is built from and the Kconfig entry enabling it. */
const MODULE_SPECS: readonly ModuleSpec[] = [
  {
    name: "mhi",
    // debugfs.o joins only with CONFIG_MHI_BUS_DEBUG, and exports nothing.
    files: ["init.c", "main.c", "pm.c", "boot.c"].map((f) => `drivers/bus/mhi/host/${f}`),
    kconfig: "drivers/bus/mhi/host/Kconfig",
    symbol: "CONFIG_MHI_BUS",
  },
  {
    name: "mhi_pci_generic",
    files: ["drivers/bus/mhi/host/pci_generic.c"],
    kconfig: "drivers/bus/mhi/host/Kconfig",
    symbol: "CONFIG_MHI_BUS_PCI_GENERIC",
  },
  {
    name: "mhi_net",
    files: ["drivers/net/mhi_net.c"],
    kconfig: "drivers/net/Kconfig",
    symbol: "CONFIG_MHI_NET",
  },
  { name: "wwan", files: [`${WWAN}/wwan_core.c`], kconfig: `${WWAN}/Kconfig`, symbol: "CONFIG_WWAN" },
  ...["wwan_hwsim", "mhi_wwan_ctrl", "mhi_wwan_mbim", "qcom_bam_dmux", "rpmsg_wwan_ctrl"].map((name) => ({
    name,
    files: [`${WWAN}/${name}.c`],
    kconfig: `${WWAN}/Kconfig`,
    symbol: `CONFIG_${name.toUpperCase()}`,
  })),
];

/** Where the PCI_VENDOR_ID_* names of id tables are defined, when the driver does not define them itself. */
/** The PCI vendor macros device tables name. */
export const PCI_IDS = "include/linux/pci_ids.h";

/** The member of each bus's device id struct that the model keeps, for the buses other than PCI. */
const ID_MEMBERS = { mhi: "chan", of: "compatible", rpmsg: "name" } as const;

/** Every module of the model, its facts read from the tree. */
export function deriveModules(read: TreeReader): ModuleModel[] {
  const derived = MODULE_SPECS.map((spec) => {
    const files = spec.files.map((path) => readC(read, path, `the sources of module ${spec.name}`));
    const headers: string[] = [];
    const deviceIds = files.flatMap((file) => {
      const scope = new CScope(read, [file.path, PCI_IDS]);
      const ids = deviceTables(file, scope);
      headers.push(...scope.read.filter((p) => p !== file.path && !headers.includes(p)));
      return ids;
    });
    const model: ModuleModel = {
      name: spec.name,
      sources: [...spec.files, ...headers],
      kconfig: { symbol: spec.symbol, dependsOn: kconfigDepends(read, spec), source: spec.kconfig },
      requires: [],
      ...splitExports(files.flatMap(exportsOf)),
      deviceIds,
      params: files.flatMap(paramsOf),
      registers: files.flatMap(registrationsOf),
      license: license(spec.name, files),
    };
    const idents = new Set(files.flatMap((f) => f.code.filter((t) => t.kind === "ident").map((t) => t.text)));
    return { model, idents };
  });
  // A module needs another when it names one of its exports: modpost's `depends` from the symbols it links.
  for (const { model, idents } of derived) {
    model.requires = derived
      .filter(
        (other) =>
          other.model !== model &&
          [...other.model.exports, ...Object.values(other.model.exportsIf).flat()].some((e) => idents.has(e)),
      )
      .map((other) => other.model.name)
      .sort();
  }
  return derived.map((d) => d.model);
}

function splitExports(found: { name: string; when?: string }[]) {
  const exports = [...new Set(found.filter((e) => !e.when).map((e) => e.name))].sort();
  const exportsIf: Record<string, string[]> = {};
  for (const { name, when } of found) if (when) (exportsIf[when] ??= []).push(name);
  for (const names of Object.values(exportsIf)) names.sort();
  return { exports, exportsIf };
}

/** The `depends on` expressions of a Kconfig entry, in order: its own lines, not the `if` blocks around it. */
export function kconfigDepends(read: TreeReader, spec: Pick<ModuleSpec, "kconfig" | "symbol">): string[] {
  const text = read(spec.kconfig);
  const symbol = spec.symbol.replace(/^CONFIG_/, "");
  if (text === undefined)
    throw new KbackportError(`file not found, looking for config ${symbol}`, { where: spec.kconfig });
  const entry = parseKconfig(text, spec.kconfig).get(symbol);
  if (!entry) throw new KbackportError(`config ${symbol} not found`, { where: spec.kconfig });
  return entry.depends;
}

/** Each export with the CONFIG_ condition it sits in, if any (the innermost one). */
function exportsOf(file: CFile): { name: string; when?: string }[] {
  const { code } = file;
  const conditions = configConditions(file.tokens);
  return ["EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL"].flatMap((macro) =>
    findCalls(code, macro).map((call) => ({
      name: code[call.open + 1]!.text,
      when: conditions.get(code[call.name]!.line),
    })),
  );
}

/**
 * The CONFIG_ condition in force on each line, from `#ifdef CONFIG_X`, `#ifndef`, `#if IS_ENABLED(CONFIG_X)`
 * and `#if defined(CONFIG_X)`, flipped by `#else`; other conditionals leave lines unconditional.
 */
function configConditions(tokens: readonly Token[]): Map<number, string> {
  const stack: (string | undefined)[] = [];
  const byLine = new Map<number, string>();
  const lines = new Set(tokens.map((t) => t.line));
  const directives = new Map<number, string>();
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== "punct" || t.text !== "#") continue;
    const words: string[] = [];
    for (let j = i + 1; j < tokens.length && tokens[j]!.line === t.line; j++)
      if (tokens[j]!.kind !== "space" && tokens[j]!.kind !== "comment") words.push(tokens[j]!.text);
    directives.set(t.line, words.join(" "));
  }
  for (const line of [...lines].sort((a, b) => a - b)) {
    const d = directives.get(line);
    if (d !== undefined) {
      const m = /^(ifdef|ifndef|if)\b(.*)$/.exec(d);
      if (m) {
        const config = /^\s*(?:IS_ENABLED \( |defined \( )?(CONFIG_\w+)(?: \))?\s*$/.exec(m[2]!)?.[1];
        stack.push(config && (m[1] === "ifndef" ? `!${config}` : config));
      } else if (/^else\b/.test(d) && stack.length > 0) {
        const top = stack.pop();
        stack.push(top && (top.startsWith("!") ? top.slice(1) : `!${top}`));
      } else if (/^elif\b/.test(d) && stack.length > 0) {
        stack.pop();
        stack.push(undefined);
      } else if (/^endif\b/.test(d)) stack.pop();
      continue;
    }
    const when = [...stack].reverse().find((c) => c !== undefined);
    if (when) byLine.set(line, when);
  }
  return byLine;
}

/** module_param(name, type, perm) and module_param_named(name, variable, type, perm), in source order. */
function paramsOf(file: CFile): ModuleParam[] {
  const { code } = file;
  const calls = [
    ...findCalls(code, "module_param").map((c) => ({ ...c, typeArg: 1 })),
    ...findCalls(code, "module_param_named").map((c) => ({ ...c, typeArg: 2 })),
  ].sort((a, b) => a.name - b.name);
  return calls.map((call) => {
    const args = splitArguments(code, call.open, call.close);
    const [name, type] = [args[0], args[call.typeArg]];
    if (!name || !type)
      throw new KbackportError("cannot read module parameter", { where: at(file, call.name) });
    return { name: textOf(code, ...name), type: textOf(code, ...type) };
  });
}

/** The driver-core objects a module defines, by the struct type of their initializer. */
const REGISTERED: readonly { struct: string; as: (name: string) => Registration }[] = [
  { struct: "bus_type", as: (name) => ({ kind: "bus", name }) },
  { struct: "class", as: (name) => ({ kind: "class", name }) },
  ...["mhi", "pci", "platform", "rpmsg"].map((bus) => ({
    struct: `${bus}_driver`,
    as: (name: string): Registration => ({ kind: "driver", bus, name }),
  })),
];

/**
 * `.name = "..."` of each bus_type, class and bus driver initializer (nested `.driver.name` too), and the
 * classes older code makes with class_create(owner?, "name").
 */
function registrationsOf(file: CFile): Registration[] {
  const { code } = file;
  const created = findCalls(code, "class_create").flatMap((call): Registration[] => {
    const name = splitArguments(code, call.open, call.close)
      .map(([first, last]) => (first === last && code[first]!.kind === "string" ? code[first]! : undefined))
      .find(Boolean);
    return name ? [{ kind: "class", name: stringValue(name) }] : [];
  });
  return [...initialized(file), ...created];
}

function initialized(file: CFile): Registration[] {
  const { code } = file;
  return REGISTERED.flatMap(({ struct, as }) =>
    structInitializers(code, struct).map((init) => {
      let value: number | undefined;
      for (let j = init.open + 1; value === undefined && j + 3 <= init.close; j++)
        if (code[j]!.text === "." && code[j + 1]!.text === "name" && code[j + 2]!.text === "=") value = j + 3;
      if (value === undefined || code[value]!.kind !== "string")
        throw new KbackportError(`struct ${struct} ${init.name} has no .name string`, {
          where: at(file, init.first),
        });
      return as(stringValue(code[value]!));
    }),
  );
}

function license(module: string, files: readonly CFile[]): string {
  for (const file of files) {
    const call = findCalls(file.code, "MODULE_LICENSE")[0];
    if (call && file.code[call.open + 1]!.kind === "string") return stringValue(file.code[call.open + 1]!);
  }
  throw new KbackportError(`no MODULE_LICENSE("...") for module ${module}`, { where: files[0]?.path });
}

/** The entries of every MODULE_DEVICE_TABLE(bus, table) in a file, in table order, the terminator left out. */
function deviceTables(file: CFile, scope: CScope): DeviceId[] {
  const { code } = file;
  return findCalls(code, "MODULE_DEVICE_TABLE").flatMap((call) => {
    const bus = code[call.open + 1]!.text;
    const table = code[call.close - 1]!.text;
    // The definition: `table[] = {` (or with a length).
    const name = code.findIndex((t, i) => {
      const bracket = t.text === table && code[i + 1]?.text === "[" ? matchingClose(code, i + 1) : -1;
      return bracket > 0 && code[bracket + 1]?.text === "=" && code[bracket + 2]?.text === "{";
    });
    if (name < 0)
      throw new KbackportError(`device id table ${table} not found`, { where: at(file, call.name) });
    const eq = matchingClose(code, name + 1) + 1;
    const close = matchingClose(code, eq + 1);
    const entries = splitArguments(code, eq + 1, close).filter(([first, last]) => first <= last);
    return entries.flatMap(([first, last]): DeviceId[] => {
      if (code[first]!.text !== "{" || matchingClose(code, first) !== last)
        throw new KbackportError(`${table}: entry ${textOf(code, first, last)} is not in braces`, {
          where: at(file, first),
        });
      const members = splitArguments(code, first, last).filter(([f, l]) => f <= l);
      // The terminator: `{}` or all zeros.
      if (members.every(([f, l]) => f === l && code[f]!.text === "0")) return [];
      if (bus === "pci") return [pciId(file, scope, members)];
      if (bus === "mhi") return [{ bus, channel: member(file, members, ID_MEMBERS[bus]) }];
      if (bus === "of") return [{ bus, compatible: member(file, members, ID_MEMBERS[bus]) }];
      if (bus === "rpmsg") return [{ bus, name: member(file, members, ID_MEMBERS[bus]) }];
      throw new KbackportError(`MODULE_DEVICE_TABLE(${bus}, ...) is not a bus the model knows`, {
        where: at(file, call.name),
      });
    });
  });
}

/**
 * `PCI_DEVICE(vendor, device)` or `PCI_DEVICE_SUB(vendor, device, subvendor, subdevice)`, then
 * `.driver_data = (kernel_ulong_t) &info`.
 */
function pciId(file: CFile, scope: CScope, members: [number, number][]): DeviceId {
  const { code } = file;
  const [first, last] = members[0]!;
  const macro = code[first]!.text;
  const args =
    code[first + 1]?.text === "(" && matchingClose(code, first + 1) === last
      ? splitArguments(code, first + 1, last)
      : [];
  const arity = ({ PCI_DEVICE: 2, PCI_DEVICE_SUB: 4 } as Record<string, number>)[macro];
  if (arity === undefined || args.length !== arity)
    throw new KbackportError(`unsupported PCI id entry ${textOf(code, first, last)}`, {
      where: at(file, first),
    });
  const values = args.map(([f, l]) => evaluate(code, f, l, (n) => scope.lookup(n), at(file, f)));
  const data = members.find(([f]) => code[f]!.text === "." && code[f + 1]!.text === "driver_data");
  const amp = data ? code.slice(data[0], data[1] + 1).findIndex((t) => t.text === "&") : -1;
  const name = amp < 0 ? undefined : code[data![0] + amp + 1];
  if (name?.kind !== "ident")
    throw new KbackportError(`PCI id entry without .driver_data = &info`, { where: at(file, first) });
  const [vendor, device, subvendor, subdevice] = values as [number, number, number?, number?];
  return subvendor === undefined
    ? { bus: "pci", vendor, device, name: name.text }
    : { bus: "pci", vendor, device, subvendor, subdevice, name: name.text };
}

/** The string of a `.member = "..."` designated initializer in an id entry. */
function member(file: CFile, members: [number, number][], name: string): string {
  const { code } = file;
  const found = members.find(
    ([f, l]) =>
      l === f + 3 && code[f]!.text === "." && code[f + 1]!.text === name && code[f + 3]!.kind === "string",
  );
  if (!found)
    throw new KbackportError(`id entry without .${name} = "..."`, { where: at(file, members[0]?.[0] ?? 0) });
  return stringValue(code[found[0] + 3]!);
}
