import { Command } from "commander";
import type { ModelRunReport } from "../model/model-run.js";
import { shownPath } from "../model/shown-path.js";
import { cacheRoot } from "../source/cache.js";
import { reportFailure } from "./failure.js";

function summarizeModel(m: ModelRunReport): string {
  const lines = m.pins.map((p) =>
    `pin      ${p.source} ${p.commit.slice(0, 12)} ${p.subject ?? ""}`.trimEnd(),
  );
  lines.push(`model    derived at the pins from ${m.files} files`);
  if (m.frozen) lines.push(`frozen   ${shownPath(m.frozen)}: the pins hold its files byte for byte`);
  else if (m.nearest) {
    lines.push(
      `frozen   none matches; nearest ${m.nearest.file} differs in ${m.nearest.files.join(", ")}`,
      ...(m.nearest.drift.length > 0
        ? m.nearest.drift.map((d) => `drift    ${d}`)
        : ["drift    none: the model is the same, from other file contents"]),
    );
  } else lines.push("frozen   none for this recipe");
  if (m.written) lines.push(`written  ${shownPath(m.written)}`);
  else if (!m.frozen) lines.push("hint: --write freezes it beside the recipe");
  return lines.join("\n");
}

export const modelCommand = (exit: (code: number) => void) =>
  new Command("model")
    .description(
      "derive the reference model at a run's pins, show the frozen model it matches or how it drifted; --write freezes it beside the recipe",
    )
    .argument("<run-dir>", "output directory of a build or run")
    .option("--write", "write the model frozen at the run's pins to models/<recipe>/ beside the recipe")
    .option("--offline", "use the source cache only")
    .option("--json", "print the result as JSON")
    .action(async (runDir: string, flags: { write?: boolean; offline?: boolean; json?: boolean }) => {
      try {
        const { modelForRun } = await import("../model/model-run.js");
        const result = await modelForRun(runDir, {
          write: flags.write === true,
          offline: flags.offline === true,
          cacheDir: cacheRoot(),
        });
        process.stdout.write(
          flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${summarizeModel(result)}\n`,
        );
        exit(0);
      } catch (err) {
        reportFailure(err, flags.json, exit);
      }
    });
