import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGING_REPORT, type PackagingReport } from "../package/openwrt/package-run.js";

/**
 * The modules each OpenWrt package of a run loads at boot: the names in its etc/modules.d files, read
 * from the .ipk itself with tar. Undefined when the run has no OpenWrt packages.
 */
export function openWrtAutoload(runDir: string): Map<string, string[]> | undefined {
  const dir = join(runDir, "openwrt");
  const reportPath = join(dir, PACKAGING_REPORT);
  if (!existsSync(reportPath)) return undefined;
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as PackagingReport;
  const autoload = new Map<string, string[]>();
  for (const p of report.packages) {
    const data = execFileSync("tar", ["-xzOf", join(dir, p.file), "./data.tar.gz"]);
    const names = execFileSync("tar", ["-tzf", "-"], { input: data })
      .toString()
      .split("\n")
      .filter((n) => /^\.\/etc\/modules\.d\/[^/]+$/.test(n));
    const modules = names.flatMap((n) =>
      execFileSync("tar", ["-xzOf", "-", n], { input: data })
        .toString()
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0]!)
        .filter(Boolean),
    );
    autoload.set(p.module, modules);
  }
  return autoload;
}
