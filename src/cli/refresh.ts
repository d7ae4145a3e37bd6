import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { reportFailure } from "./failure.js";
import { errorMessage, KbackportError } from "../errors.js";
import { during } from "../interrupt/registry.js";
import { isCommitId } from "../recipe/commit-id.js";
import type { RefreshReport } from "../refresh/refresh.js";
import { cacheRoot } from "../source/cache.js";
import { parseSourceOverride, type SourceOverride } from "../source/override.js";

function pinList(value: string, previous: Map<string, string> = new Map()): Map<string, string> {
  for (const item of value.split(",").filter(Boolean)) {
    const [name, commit] = item.split("=");
    if (!name || !commit || !isCommitId(commit))
      throw new InvalidArgumentError(`'${item}' is not NAME=COMMIT with a full 40-hex commit id`);
    previous.set(name, commit);
  }
  return previous;
}

export function summarizeRefresh(r: RefreshReport): string {
  const lines = [
    ...(r.recovered ?? []).map((l) => `note     ${l}`),
    ...r.pins.map((p) => `pin      ${p.source} ${p.from.slice(0, 12)} -> ${p.to.slice(0, 12)}`),
  ];
  for (const u of r.upstream) {
    lines.push(
      "commits" in u
        ? `upstream ${u.source}: ${u.commits.length} commits touch the recipe's paths${u.commits
            .slice(0, 5)
            .map((c) => `\n           ${c.id.slice(0, 12)} ${c.subject}`)
            .join("")}${u.commits.length > 5 ? "\n           ..." : ""}`
        : `upstream ${u.source}: history unavailable (${u.unavailable})`,
    );
  }
  for (const t of r.targets) {
    const state = t.next.built
      ? t.next.violations.length
        ? "builds, validation fails"
        : "builds and validates"
      : "does NOT build";
    lines.push(
      `target   ${t.openwrt ? `OpenWrt ${t.openwrt}, ` : ""}${t.release ?? t.kernel}: at the new pins ${state} (${t.next.modules.length} modules)`,
    );
    for (const d of t.rules.filter(
      (x) => (x.state !== "still needed" && x.state !== "not needed") || x.sitesMoved,
    ))
      lines.push(
        `  rule   ${d.id.padEnd(28)} ${d.state}${d.sitesMoved ? ", sites moved" : ""} (${d.sites.current} -> ${d.sites.next} sites)`,
      );
    for (const u of t.unlisted)
      lines.push(
        `  rule   ${u.rule} is not listed for component ${u.component} (${u.sites.slice(0, 3).join(", ")})`,
      );
    for (const e of t.newErrors) lines.push(`  error  ${e}`);
    for (const w of t.newWarnings.slice(0, 5)) lines.push(`  warn   ${w}`);
    for (const v of t.next.violations) lines.push(`  check  ${v}`);
    lines.push(`  diffs  ${t.diffs.tree}, ${t.diffs.kernelPatches}`);
  }
  lines.push(`model    ${r.modelDrift.length === 0 ? "no change" : `${r.modelDrift.length} changes`}`);
  for (const m of r.modelDrift.slice(0, 20)) lines.push(`  ${m}`);
  if (r.modelDrift.length > 20) lines.push(`  ... (${r.modelDrift.length - 20} more in refresh.json)`);
  lines.push(`output   ${r.outDir}`);
  lines.push(
    r.written
      ? `recipe   ${r.recipe}: pins updated; model frozen at them in ${r.frozenModel}`
      : r.ok
        ? "recipe   unchanged (pass --write to move the pins)"
        : "recipe   unchanged: the new pins are broken (--write refuses without --allow-broken)",
  );
  return lines.join("\n");
}

export const refreshCommand = (exit: (code: number) => void) =>
  new Command("refresh")
    .description(
      "build and validate every target at the recipe's pins and at new ones, and report what drifted",
    )
    .argument("<recipe>", "recipe YAML file")
    .requiredOption("--to <pins>", "new pins: NAME=COMMIT[,NAME=COMMIT...]", pinList)
    .option(
      "--kernel <dir>",
      "a target kernel tree (repeat for each target)",
      (v: string, p: string[] = []) => [...p, v],
      [],
    )
    .option(
      "--openwrt <dir>",
      "an OpenWrt buildroot or SDK as a target (repeat for each)",
      (v: string, p: string[] = []) => [...p, v],
      [],
    )
    .option(
      "--source <name=path-or-url[@commit]>",
      "take a recipe source from another repository",
      (v: string, p: SourceOverride[] = []) => {
        try {
          return [...p, parseSourceOverride(v)];
        } catch (err) {
          throw new InvalidArgumentError(errorMessage(err));
        }
      },
      [],
    )
    .option("--out <dir>", "output directory (default: out/refresh-<recipe>)")
    .option("--write", "update the pins in the recipe when every target builds and validates at them")
    .option("--allow-broken", "with --write: update them anyway, recording what is broken as comments")
    .option("--offline", "use the source cache only")
    .addOption(
      new Option("-j, --jobs <n>", "parallel make jobs").default(availableParallelism()).argParser(Number),
    )
    .option("--json", "print the report as JSON")
    .action(
      async (
        recipe: string,
        flags: {
          to: Map<string, string>;
          kernel: string[];
          openwrt: string[];
          source: SourceOverride[];
          out?: string;
          write?: boolean;
          allowBroken?: boolean;
          offline?: boolean;
          jobs: number;
          json?: boolean;
        },
      ) => {
        try {
          if (flags.allowBroken && !flags.write) throw new KbackportError("--allow-broken goes with --write");
          const { refresh } = await import("../refresh/refresh.js");
          const report = await during("refresh", () =>
            refresh({
              recipeFile: recipe,
              to: flags.to,
              kernels: flags.kernel,
              openwrts: flags.openwrt,
              sources: flags.source,
              outDir: flags.out,
              write: flags.write === true,
              allowBroken: flags.allowBroken === true,
              offline: flags.offline === true,
              jobs: flags.jobs,
              cacheDir: cacheRoot(),
              cwd: process.cwd(),
            }),
          );
          process.stdout.write(
            flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${summarizeRefresh(report)}\n`,
          );
          exit(report.ok ? 0 : 1);
        } catch (err) {
          reportFailure(err, flags.json, exit);
        }
      },
    );
