import type {
  Constants,
  DeviceId,
  DriverModel,
  ModuleModel,
  ProtocolModel,
  StructField,
  StructLayout,
} from "./types.js";

const hex4 = (n: number) => n.toString(16).padStart(4, "0");

/** An id as people name it, without the info it points to: "PCI id 17cb:0306 sub 18d7:0200". */
function describeId(id: DeviceId): string {
  switch (id.bus) {
    case "pci": {
      const sub = id.subvendor === undefined ? "" : ` sub ${hex4(id.subvendor)}:${hex4(id.subdevice ?? 0)}`;
      return `PCI id ${hex4(id.vendor)}:${hex4(id.device)}${sub}`;
    }
    case "mhi":
      return `MHI channel ${id.channel}`;
    case "of":
      return `OF compatible ${id.compatible}`;
    case "rpmsg":
      return `RPMSG channel ${id.name}`;
  }
}

/** What changed from model `a` to model `b`, one line per difference; empty when they are equal. */
export function diffModels(a: DriverModel, b: DriverModel): string[] {
  const lines = list(
    "modules",
    a.modules,
    b.modules,
    (m) => m.name,
    (m) => `module ${m.name}`,
    diffModule,
  );
  lines.push(
    ...diffBamDmux(a.protocol.bamDmux, b.protocol.bamDmux),
    ...diffMhiProtocol(a.protocol.mhi, b.protocol.mhi),
  );
  return lines;
}

export function diffBamDmux(a: ProtocolModel["bamDmux"], b: ProtocolModel["bamDmux"]): string[] {
  return [
    ...diffStruct("bam_dmux header", a.header, b.header),
    ...diffConstants("bam_dmux magic", a.magic, b.magic),
    ...diffConstants("bam_dmux commands", a.commands, b.commands),
    ...diffConstants("bam_dmux channels", a.channels, b.channels),
    ...diffConstants("bam_dmux buffer", a.buffer, b.buffer),
  ];
}

export function diffMhiProtocol(a: ProtocolModel["mhi"], b: ProtocolModel["mhi"]): string[] {
  return [
    ...diffConstants("mhi states", a.states, b.states),
    ...diffConstants("mhi execution environments", a.executionEnvironments, b.executionEnvironments),
    ...diffStruct("mhi ring element", a.ringElement, b.ringElement),
  ];
}

function diffModule(a: ModuleModel, b: ModuleModel): string[] {
  const m = a.name;
  const same = (x: string) => x;
  return [
    ...list(`${m}: sources`, a.sources, b.sources, same, (p) => `${m}: source ${p}`),
    ...changed(`${m}: Kconfig symbol`, a.kconfig.symbol, b.kconfig.symbol),
    ...changed(`${m}: Kconfig file`, a.kconfig.source, b.kconfig.source),
    ...list(
      `${m}: depends on`,
      a.kconfig.dependsOn,
      b.kconfig.dependsOn,
      same,
      (d) => `${m}: depends on ${d}`,
    ),
    ...list(`${m}: requires`, a.requires, b.requires, same, (r) => `${m}: requires ${r}`),
    ...list(`${m}: exports`, a.exports, b.exports, same, (e) => `${m}: export ${e}`),
    ...list(
      `${m}: conditional exports`,
      Object.entries(a.exportsIf).flatMap(([c, names]) => names.map((n) => `${n} if ${c}`)),
      Object.entries(b.exportsIf).flatMap(([c, names]) => names.map((n) => `${n} if ${c}`)),
      same,
      (e) => `${m}: export ${e}`,
    ),
    ...list(
      `${m}: device ids`,
      a.deviceIds,
      b.deviceIds,
      describeId,
      (id) => `${m}: ${describeId(id)}${id.bus === "pci" ? ` (${id.name})` : ""}`,
      (x, y) =>
        x.bus === "pci" && y.bus === "pci" ? changed(`${m}: ${describeId(x)} info`, x.name, y.name) : [],
    ),
    ...list(
      `${m}: params`,
      a.params,
      b.params,
      (p) => p.name,
      (p) => `${m}: param ${p.name} (${p.type})`,
      (x, y) => changed(`${m}: param ${x.name} type`, x.type, y.type),
    ),
    ...list(
      `${m}: registers`,
      a.registers,
      b.registers,
      (r) => (r.kind === "driver" ? `${r.bus} driver ${r.name}` : `${r.kind} ${r.name}`),
      (r) => `${m}: registers ${r.kind === "driver" ? `${r.bus} driver ${r.name}` : `${r.kind} ${r.name}`}`,
    ),
    ...changed(`${m}: license`, a.license, b.license),
  ];
}

function diffStruct(label: string, a: StructLayout, b: StructLayout): string[] {
  const show = (f: StructField) => `${f.type} ${f.name}${f.count === undefined ? "" : `[${f.count}]`}`;
  return [
    ...changed(`${label}: struct`, a.name, b.name),
    ...list(
      `${label}: fields`,
      a.fields,
      b.fields,
      (f) => f.name,
      (f) => `${label}: field ${show(f)}${f.bits === undefined ? "" : ` : ${f.bits}`}`,
      (x, y) => [
        ...changed(`${label}: field ${x.name} type`, x.type, y.type),
        ...changed(`${label}: field ${x.name} count`, x.count, y.count),
        ...changed(`${label}: field ${x.name} bits`, x.bits, y.bits),
      ],
    ),
    ...changed(`${label}: size`, a.size, b.size),
    ...changed(`${label}: source`, a.source, b.source),
  ];
}

function diffConstants(label: string, a: Constants, b: Constants): string[] {
  const entries = (c: Constants) => Object.entries(c.values);
  return [
    ...list(
      label,
      entries(a),
      entries(b),
      ([name]) => name,
      ([name, value]) => `${label}: ${name} = ${value}`,
      ([name, x], [, y]) => (x === y ? [] : [`${label}: ${name} = ${x} → ${y}`]),
    ),
    ...changed(`${label}: source`, a.source, b.source),
  ];
}

function changed<T extends string | number>(label: string, a: T | undefined, b: T | undefined): string[] {
  const show = (v: T | undefined) => (v === undefined ? "none" : String(v));
  return a === b ? [] : [`${label} ${show(a)} → ${show(b)}`];
}

/**
 * Differences between two lists of items identified by `key`: "<show> added" and "<show> removed" (per
 * occurrence, so a repeated item counts), `change` for items in both, and a reorder when nothing else differs,
 * since order matters in these lists (the first matching id table entry wins).
 */
function list<T>(
  label: string,
  a: readonly T[],
  b: readonly T[],
  key: (item: T) => string,
  show: (item: T) => string,
  change: (x: T, y: T) => string[] = () => [],
): string[] {
  const lines: string[] = [];
  const remaining = (items: readonly T[]) => {
    const byKey = new Map<string, T[]>();
    for (const item of items) byKey.set(key(item), [...(byKey.get(key(item)) ?? []), item]);
    return byKey;
  };
  const inA = remaining(a);
  const inB = remaining(b);
  for (const item of a) {
    const other = inB.get(key(item))?.shift();
    if (other === undefined) lines.push(`${show(item)} removed`);
    else lines.push(...change(item, other));
  }
  for (const item of b) if (inA.get(key(item))?.shift() === undefined) lines.push(`${show(item)} added`);
  if (lines.length === 0 && a.map(key).join("\n") !== b.map(key).join("\n"))
    lines.push(`${label}: order changed`);
  return lines;
}
