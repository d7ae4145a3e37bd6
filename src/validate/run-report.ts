import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";
import { z } from "zod";
import { KbackportError } from "../errors.js";
import { emptyReport, type RunReport } from "../report.js";
import { elfMismatch, type ElfExpectation } from "./elf-header.js";

/**
 * What later commands read of a run: checked to the leaf, since run directories travel between CI jobs
 * as artifacts and are input like any other. The rest of the report passes as it is.
 */
const ModuleShape = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/),
  component: z.string(),
  dir: z.string(),
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const TargetShape = z
  .object({
    dir: z.string(),
    sourceDir: z.string(),
    kind: z.string(),
    release: z.string(),
    version: z.string(),
    arch: z.string(),
    crossCompile: z.string(),
    compiler: z.string(),
    symvers: z.boolean(),
    features: z.array(z.object({ id: z.string(), present: z.boolean() }).passthrough()),
  })
  .passthrough();

const SourceShape = z
  .object({ name: z.string(), url: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/), dir: z.string() })
  .passthrough();

const ReportShape = z
  .object({
    kbackport: z.string(),
    command: z.string(),
    modules: z.array(ModuleShape).optional(),
    target: TargetShape.optional(),
    sources: z.array(SourceShape).optional(),
    components: z.array(z.string()).optional(),
    errors: z.array(z.object({ message: z.string() }).passthrough()).optional(),
    warnings: z.array(z.string()).optional(),
  })
  .passthrough();

/** The report.json of a run's output directory, checked, with every module it names verified. */
export function readRunReport(runDir: string): RunReport {
  const path = join(runDir, "report.json");
  if (!existsSync(path)) {
    throw new KbackportError(`${runDir} is not the output of a run: it has no report.json`, {
      hint: "pass the --out directory of a `kbackport run`, `build` or `prepare`",
    });
  }
  const damaged = (why: string) =>
    new KbackportError(`${path} is damaged: ${why}`, {
      hint: "run kbackport again to make this output anew; a run directory is never repaired by hand",
    });
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw damaged(`not JSON (${(err as Error).message})`);
  }
  const parsed = ReportShape.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw damaged(`${issue.path.length ? issue.path.join(".") : "the document"}: ${issue.message}`);
  }
  // Reports of older versions may lack newer lists: they read as empty.
  const report = parsed.data as unknown as Partial<RunReport>;
  const full = { ...emptyReport(report.command ?? "", report.kbackport ?? ""), ...report };
  verifyModules(runDir, full);
  return full;
}

/** Every module a run names lies inside the run, has the bytes the report recorded, and is an ELF module for its target. */
function verifyModules(runDir: string, report: RunReport): void {
  const root = realpathSync(runDir);
  const expected = report.target && elfExpectation(report.target);
  report.modules.forEach((m, i) => {
    const where = `${join(runDir, "report.json")}: modules.${i}.path`;
    const refuse = (why: string, hint: string) => new KbackportError(`${where}: ${why}`, { hint });
    const rel = normalize(m.path);
    if (
      isAbsolute(m.path) ||
      rel.startsWith(`..${sep}`) ||
      rel === ".." ||
      !rel.startsWith(`modules${sep}`)
    ) {
      throw refuse(
        `'${m.path}' is not a file in the run's modules/`,
        "module paths are relative to the run: modules/<name>.ko",
      );
    }
    const file = join(root, rel);
    if (!existsSync(file) || !lstatSync(file).isFile() || realpathSync(file) !== file) {
      throw refuse(
        `${m.path} is missing, or not a regular file inside the run`,
        "run kbackport again to rebuild the modules",
      );
    }
    const bytes = readFileSync(file);
    if (createHash("sha256").update(bytes).digest("hex") !== m.sha256) {
      throw refuse(
        `${m.path} is not the module the run built (its sha256 differs from the report's)`,
        "run kbackport again to rebuild the modules",
      );
    }
    const mismatch = expected && elfMismatch(bytes, expected);
    if (mismatch) throw refuse(`${m.path}: ${mismatch}`, "run kbackport again to rebuild the modules");
  });
}

/** The ELF machine, class and byte order a target's modules have (from its ARCH and toolchain prefix). */
export function elfExpectation(target: NonNullable<RunReport["target"]>): ElfExpectation {
  const prefix = target.crossCompile;
  switch (target.arch) {
    case "x86":
      return { machines: ["x86-64", "i386"], little: true, what: "x86" };
    case "arm64":
      return { machines: ["aarch64"], little: !/aarch64_be/.test(prefix), what: "arm64" };
    case "arm":
      return { machines: ["arm"], little: !/armeb/.test(prefix), what: "arm" };
    case "mips":
      return { machines: ["mips"], little: /el-/.test(prefix), what: /el-/.test(prefix) ? "mipsel" : "mips" };
    default:
      return { machines: [], little: true, what: target.arch };
  }
}
