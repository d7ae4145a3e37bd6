import type { RunReport } from "../report.js";
import { summarizePackaging } from "./package.js";

/** The report as people read it after a run. */
export function summarize(report: RunReport): string {
  const lines: string[] = [];
  if (report.target) {
    const t = report.target;
    lines.push(`target   ${t.release} (${t.kind}, ${t.arch}, sources ${t.version})`);
    const missing = t.features.filter((f) => !f.present);
    lines.push(
      `features ${t.features.length - missing.length} present, ${missing.length} missing: ${missing.map((f) => f.id).join(", ") || "-"}`,
    );
  }
  for (const d of report.duplicates)
    lines.push(`in-kernel ${d.component} (${d.inKernel.join(", ")}): ${d.choice}`);
  for (const s of report.sources) lines.push(`source   ${s.name} ${s.commit}${s.cached ? " (cache)" : ""}`);
  for (const r of report.rules) {
    const state = !r.needed ? "not needed" : r.stale ? "STALE" : `${r.sites.length} sites`;
    const files = [...new Set(r.sites.map((s) => s.file))].join(", ");
    lines.push(`rule     ${r.id.padEnd(26)} ${r.kind.padEnd(12)} ${state}${files ? `: ${files}` : ""}`);
  }
  for (const p of report.kernelPatches)
    lines.push(`patch    ${p.file ?? `(none for ${p.series})`} [${p.rule}]`);
  if (report.inTree) {
    const t = report.inTree;
    lines.push(`in-tree  ${t.kernelDir}${t.inPlace ? " (in place)" : ""}: modules built in ${t.backportDir}`);
    for (const p of t.patches)
      lines.push(`applied  ${p.name}${p.state === "applied" ? "" : ` (${p.state})`}`);
    if (t.disabled.length > 0) lines.push(`disabled ${t.disabled.join(", ")}`);
    lines.push(
      `kernel   ${t.rebuild.image ?? "prepared for modules (no image: the tree had not been built)"}`,
    );
  }
  for (const m of report.modules) lines.push(`module   ${m.path} ${m.sha256.slice(0, 16)}`);
  if (report.openwrt && report.outDir)
    lines.push(summarizePackaging(report.openwrt, `${report.outDir}/openwrt`));
  for (const s of report.skipped) lines.push(`skipped  ${s.name}: ${s.reason} [${s.where}]`);
  if (report.cached) lines.push("output unchanged: reused the previous run");
  if (report.stages.length > 0)
    lines.push(
      `time     ${report.stages.map((s) => `${s.id} ${s.seconds.toFixed(2)} s${s.id === "build" && report.makeSeconds !== undefined ? ` (make ${report.makeSeconds.toFixed(2)} s)` : ""}`).join(", ")}`,
    );
  if (report.outDir && report.errors.length === 0) lines.push(`output   ${report.outDir}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  for (const e of report.errors) {
    lines.push(`error: ${e.where ? `${e.where}: ` : ""}${e.message}`);
    if (e.hint) lines.push(`hint: ${e.hint}`);
  }
  return lines.join("\n");
}
