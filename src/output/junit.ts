import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Builder } from "junit-report-builder";
import type { RunReport } from "../report.js";
import type { ValidationReport } from "../validate/validate-run.js";
import type { VmReport } from "../validate/vm.js";

/** One test case as CI systems read JUnit XML: `classname` is the target. */
export interface JunitCase {
  name: string;
  classname: string;
  seconds?: number;
  failure?: { message: string; detail?: string };
  skipped?: boolean;
  systemOut?: string;
}

export interface JunitSuite {
  name: string;
  cases: JunitCase[];
}

/** Lines of a build log shown with a failed build: enough for the compiler's errors and make's last words. */
const LOG_TAIL = 60;

/** The target a run was for, as each of its cases' classname. */
export function targetName(report: Pick<RunReport, "target">): string {
  return report.target ? `${report.target.release} (${report.target.arch})` : "no target";
}

/**
 * A run as one suite: a case per stage that ran (the one that failed carries the error, its hint and,
 * for the build, the build log's tail), per module built or skipped, and per OpenWrt package.
 */
export function runSuite(report: RunReport, failedDir?: string): JunitSuite {
  const classname = targetName(report);
  const error = report.errors[0];
  const stages = report.stages.map((s, i): JunitCase => {
    const failed = error !== undefined && i === report.stages.length - 1;
    const log = failed && failedDir ? tail(join(failedDir, "build.log")) : undefined;
    return {
      name: `stage ${s.id}`,
      classname,
      seconds: s.seconds,
      ...(failed && {
        failure: {
          message: error.message,
          detail: [error.where, error.hint && `hint: ${error.hint}`].filter(Boolean).join("\n") || undefined,
        },
      }),
      ...(log !== undefined && { systemOut: log }),
    };
  });
  return {
    name: `${report.command} ${classname}`,
    cases: [
      ...stages,
      ...report.modules.map((m): JunitCase => ({ name: `module ${m.name}`, classname })),
      ...report.skipped.map((m): JunitCase => ({
        name: `module ${m.name}`,
        classname,
        skipped: true,
        systemOut: m.reason,
      })),
      ...(report.openwrt?.packages ?? []).map((p): JunitCase => ({ name: `package ${p.file}`, classname })),
    ],
  };
}

/** validate as one suite: a case per check (violations fail, skipped checks are skipped), per VM load and VM check. */
export function validateSuite(classname: string, v: ValidationReport, vm?: VmReport): JunitSuite {
  return {
    name: `validate ${classname}`,
    cases: [
      ...v.checks.map((c): JunitCase => ({
        name: `${c.check} ${c.subject}`,
        classname,
        ...(c.status === "violation" && { failure: { message: c.detail } }),
        ...(c.status === "skipped" && { skipped: true, systemOut: c.detail }),
      })),
      ...(vm?.modules ?? []).map((m): JunitCase => ({
        name: `vm load ${m.name}`,
        classname,
        ...(!m.loaded && { failure: { message: m.error ?? "not loaded" } }),
      })),
      ...(vm?.checks ?? []).map((c): JunitCase => ({
        name: `vm ${c.id}`,
        classname,
        ...(!c.ok && {
          failure: {
            message: `${c.outcome}, expected ${c.expected}${c.detail ? `: ${c.detail}` : ""}`,
            detail: c.console?.join("\n"),
          },
        }),
      })),
    ],
  };
}

/** Writes the suites as JUnit XML (Jenkins' dialect, which GitHub, GitLab and junitparser read), whole or not at all. */
export async function writeJunit(file: string, suites: readonly JunitSuite[]): Promise<void> {
  // A CommonJS package compiled from ES modules: its builder is `default` or `default.default`, as
  // Node's and the bundler's interop each give it.
  const mod = (await import("junit-report-builder")) as unknown as {
    default: Builder & { default?: Builder };
  };
  const builder = (mod.default.default ?? mod.default).newBuilder();
  for (const s of suites) {
    const suite = builder.testSuite().name(s.name);
    for (const c of s.cases) {
      const tc = suite.testCase().className(c.classname).name(c.name);
      if (c.seconds !== undefined) tc.time(c.seconds);
      if (c.failure) {
        tc.failure(c.failure.message);
        if (c.failure.detail) tc.stacktrace(c.failure.detail);
      }
      if (c.skipped) tc.skipped();
      if (c.systemOut) tc.standardOutput(c.systemOut);
    }
  }
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.tmp-${process.pid}`;
  await writeFile(partial, builder.build());
  await rename(partial, file);
}

function tail(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-LOG_TAIL).join("\n");
}
