import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KbackportError } from "../errors.js";
import { KERNEL_APIS } from "../kernel/api.js";
import { listFiles } from "../list-files.js";
import type { Feature } from "../kernel/features.js";
import { deriveBamDmux, deriveMhiProtocol, PROTOCOL_FILES } from "../model/derive-protocol.js";
import { diffBamDmux, diffMhiProtocol } from "../model/diff.js";
import type { DriverModel, TreeReader } from "../model/types.js";
import { COMPAT_INCLUDE } from "../build/kbuild.js";
import { tokenize } from "../c/tokenize.js";
import { ok, skipped, violation, type Check } from "./check.js";

/**
 * The protocol constants and layouts of the transformed sources against the model, read the same way the
 * model was derived. Headers the backport does not carry (sizes.h) come from the target's sources.
 */
export function checkProtocol(tree: string, model: DriverModel, kernelSources?: string): Check[] {
  const read: TreeReader = (path) => {
    for (const root of [tree, kernelSources]) {
      if (root && existsSync(join(root, path))) return readFileSync(join(root, path), "utf8");
    }
    return undefined;
  };
  const parts = [
    { file: PROTOCOL_FILES.bamDmux, diff: () => diffBamDmux(model.protocol.bamDmux, deriveBamDmux(read)) },
    { file: PROTOCOL_FILES.mhi, diff: () => diffMhiProtocol(model.protocol.mhi, deriveMhiProtocol(read)) },
  ];
  return parts
    .filter((p) => existsSync(join(tree, p.file)))
    .map(({ file, diff }) => {
      let changes: string[];
      try {
        changes = diff();
      } catch (err) {
        if (!(err instanceof KbackportError)) throw err;
        const message = `${err.where ? `${err.where}: ` : ""}${err.message}`;
        // A kernel header the backport does not carry (sizes.h) can only come from the target's sources.
        const where = err.where?.replace(/:\d+$/, "");
        if (!kernelSources && where && !existsSync(join(tree, where)))
          return skipped("protocol", file, `${message}, and the target's sources are not at hand`);
        return violation("protocol", file, message);
      }
      return changes.length > 0
        ? violation("protocol", file, `differs from the model: ${changes.join("; ")}`)
        : ok("protocol", file, "constants and layouts as in the model");
    });
}

/**
 * Names of APIs the target lacks, used by the transformed sources and provided by no compat header: each
 * would fail to build there (or, for a macro test, silently change behaviour). Needs no compiler for the
 * target: the probes of the run say what it lacks.
 */
export async function checkApiUse(tree: string, features: readonly Feature[]): Promise<Check[]> {
  const missing = KERNEL_APIS.filter(
    (api) => api.uses && features.some((f) => f.id === api.id && !f.present),
  );
  const files = listFiles(tree).filter((f) => /\.[ch]$/.test(f));
  const compat = files.filter((f) => f.startsWith(`${COMPAT_INCLUDE}/`));
  const provided = new Set(
    compat.flatMap((f) =>
      tokenize(readFileSync(join(tree, f), "utf8"))
        .filter((t) => t.kind === "ident")
        .map((t) => t.text),
    ),
  );
  const names = new Map(
    missing.flatMap((api) => api.uses!.filter((n) => !provided.has(n)).map((n) => [n, api] as const)),
  );
  const checks: Check[] = [];
  const sources = files.filter((f) => !f.startsWith("kbackport/"));
  for (const file of sources) {
    if (names.size === 0) break;
    const uses = tokenize(readFileSync(join(tree, file), "utf8")).filter(
      (t) => t.kind === "ident" && names.has(t.text),
    );
    if (uses.length === 0) continue;
    const lines = uses.map((t) => {
      const api = names.get(t.text)!;
      return `${file}:${t.line}: ${t.text} (${api.id}, mainline ${api.introduced})`;
    });
    checks.push(
      violation("api", file, `uses what the target lacks and no compat header provides: ${lines.join("; ")}`),
    );
  }
  if (checks.length === 0)
    checks.push(
      ok(
        "api",
        "sources",
        `${sources.length} files use none of the ${missing.length} missing APIs without a compat definition`,
      ),
    );
  return checks;
}
