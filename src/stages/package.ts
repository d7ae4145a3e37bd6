import { join } from "node:path";
import { markOutput } from "../output/owned-dir.js";
import { need, type Stage } from "./state.js";

/** run --openwrt: the built modules as OpenWrt packages, a feed and backport patches in <out>/openwrt. */
export const packageStage: Stage = {
  id: "package",
  title: "Package for OpenWrt",
  async run(state, opts, progress) {
    const openwrt = need(state, "openwrt");
    const dir = join(need(state, "output").dir, "openwrt");
    const { packageRun } = await import("../package/openwrt/package-run.js");
    state.report.openwrt = await packageRun({
      runDir: need(state, "output").dir,
      report: state.report,
      kernel: openwrt,
      dir,
      signKey: state.signKey,
      sourceDateEpoch: sourceDateEpoch(),
      cacheDir: opts.cacheDir,
      offline: opts.offline,
    });
    await markOutput(dir, "package");
    progress.title(
      `Package for OpenWrt: ${state.report.openwrt.packages.length} packages for ${openwrt.archPackages}, kernel ${state.report.openwrt.kernel}`,
    );
  },
};

/** SOURCE_DATE_EPOCH, when the environment sets it (reproducible-builds.org). */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.SOURCE_DATE_EPOCH;
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}
