import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KbackportError } from "../errors.js";
import { emptyReport, type RunReport } from "../report.js";

/** The report.json of a run's output directory. */
export function readRunReport(runDir: string): RunReport {
  const path = join(runDir, "report.json");
  if (!existsSync(path)) {
    throw new KbackportError(`${runDir} is not the output of a run: it has no report.json`, {
      hint: "pass the --out directory of a `kbackport run`, `build` or `prepare`",
    });
  }
  // Reports of older versions may lack newer lists: they read as empty.
  const report = JSON.parse(readFileSync(path, "utf8")) as Partial<RunReport>;
  return { ...emptyReport(report.command ?? "", report.kbackport ?? ""), ...report };
}
