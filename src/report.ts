import type { BuiltModule } from "./build/build-modules.js";
import type { Diagnostic } from "./build/diagnostics.js";
import type { SkippedModule } from "./build/select-modules.js";
import type { Duplicate } from "./kernel/duplicates.js";
import type { InTreeReport } from "./intree/integrate.js";
import type { Feature } from "./kernel/features.js";
import type { PackagingReport } from "./package/openwrt/package-run.js";
import type { RuleReport } from "./transform/engine.js";
import type { KernelPatchReport } from "./transform/backport-tree.js";

/** The JSON document every command writes (report.json in the output, stdout with --json). */
export interface RunReport {
  kbackport: string;
  command: string;
  /** Same key, same inputs: an unchanged re-run reuses the output. */
  cacheKey?: string;
  /** True when this run reused the previous output unchanged. */
  cached: boolean;
  recipe?: { file: string; name: string; sha256: string };
  components: string[];
  sources: {
    name: string;
    url: string;
    commit: string;
    dir: string;
    /** The paths fetched (the recipe's, plus its modules' Makefile and Kconfig). */
    paths?: string[];
    cached: boolean;
    /** Commit time of the pin (seconds since the epoch): the date packages carry. */
    committed?: number;
    /** The pin's subject line. */
    subject?: string;
    /** Git blob id of every fetched file at the pin. */
    files?: Record<string, string>;
    /** Blob ids of files read besides the fetched ones (the model's kernel headers); null: not in the pin. */
    recorded?: Record<string, string | null>;
  }[];
  target?: {
    dir: string;
    sourceDir: string;
    kind: string;
    release: string;
    version: string;
    arch: string;
    crossCompile: string;
    compiler: string;
    symvers: boolean;
    features: Feature[];
  };
  /** Components the target kernel already provides, and the choice made (--duplicates). */
  duplicates: Duplicate[];
  rules: RuleReport[];
  kernelPatches: KernelPatchReport[];
  modules: BuiltModule[];
  /** Modules the target's Kconfig does not allow (e.g. qcom_bam_dmux without QCOM_SMEM_STATE). */
  skipped: SkippedModule[];
  /** In-tree mode: the kernel tree that was patched and rebuilt, and the patches applied to it. */
  inTree?: InTreeReport;
  /** The files of the transformed tree (tree/), before the build added its objects. */
  treeFiles: string[];
  /** The make command line of the build, to rebuild the tree by hand. */
  make?: string[];
  /** Wall time of that make, within the build stage's. */
  makeSeconds?: number;
  buildWarnings: Diagnostic[];
  warnings: string[];
  errors: { message: string; where?: string; hint?: string; diagnostics?: Diagnostic[] }[];
  outDir?: string;
  /** The OpenWrt packages of the run (run --openwrt), in openwrt/ of the output. */
  openwrt?: PackagingReport;
  /** Wall time of each stage, in the order they ran (in-tree mode probes and transforms twice). */
  stages: { id: string; seconds: number }[];
}

export function emptyReport(command: string, version: string): RunReport {
  return {
    kbackport: version,
    command,
    cached: false,
    components: [],
    sources: [],
    duplicates: [],
    rules: [],
    kernelPatches: [],
    modules: [],
    skipped: [],
    treeFiles: [],
    buildWarnings: [],
    warnings: [],
    errors: [],
    stages: [],
  };
}
