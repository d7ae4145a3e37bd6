import { KERNEL_APIS } from "../kernel/api.js";

export interface Diagnostic {
  severity: "error" | "warning";
  /** Tree-relative file, when the tool named one. */
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** The kernel API the target lacks that explains this, when one is known. */
  api?: string;
}

const GCC = /^(.+?):(\d+):(\d+): (fatal error|error|warning): (.*)$/;
const MODPOST = /^(ERROR|WARNING): (?:modpost: )?(.*)$/;

/** gcc and modpost messages from a make log, paths made relative to the backport tree. */
export function parseDiagnostics(log: string, tree: string): Diagnostic[] {
  const prefix = tree.endsWith("/") ? tree : `${tree}/`;
  const out: Diagnostic[] = [];
  for (const raw of log.split("\n")) {
    const line = raw.trimEnd();
    const gcc = GCC.exec(line);
    if (gcc) {
      const file = relativeTo(gcc[1]!, prefix);
      const message = gcc[5]!;
      out.push({
        severity: gcc[4] === "warning" ? "warning" : "error",
        file,
        line: Number(gcc[2]),
        column: Number(gcc[3]),
        message,
        api: apiFor(message),
      });
      continue;
    }
    const modpost = MODPOST.exec(line);
    if (modpost) {
      const message = modpost[2]!.replaceAll(prefix, "");
      out.push({ severity: modpost[1] === "ERROR" ? "error" : "warning", message, api: apiFor(message) });
    }
  }
  return out;
}

function relativeTo(file: string, prefix: string): string {
  const at = file.indexOf(prefix);
  return at >= 0 ? file.slice(at + prefix.length).replace(/^kbackport\/include\/\.\.\/\.\.\//, "") : file;
}

/** The API whose absence a message points at: an identifier the message quotes that an API entry names. */
function apiFor(message: string): string | undefined {
  // gcc's quotes written as escapes: an all-ASCII bundle loads faster.
  const quoted = [...message.matchAll(/[\u2018'"]([A-Za-z_][A-Za-z0-9_]*)[\u2019'"]/g)].map((m) => m[1]!);
  const missing = /implicit declaration|undeclared|undefined|unknown type name|has no member/.test(message);
  if (!missing) return undefined;
  return KERNEL_APIS.find((api) => quoted.some((q) => api.symbols.includes(q)))?.id;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ""}${d.column ? `:${d.column}` : ""}: ` : "";
  return `${where}${d.severity}: ${d.message}`;
}
