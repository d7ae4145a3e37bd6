import { Command } from "commander";
import { runPipeline, type Command as Stage } from "../pipeline.js";
import { pipelineOptions, rendererFor, withPipelineOptions, type CommonFlags } from "./options.js";
import { summarize } from "./summary.js";

/** A command that runs the pipeline up to a stage, prints the report, and sets the exit code. */
export function pipelineCommand(
  stage: Stage,
  description: string,
  setExitCode: (code: number) => void,
): Command {
  const cmd = new Command(stage).description(description);
  withPipelineOptions(cmd, stage !== "fetch");
  cmd.action(async (recipe: string, flags: CommonFlags) => {
    const report = await runPipeline(pipelineOptions(stage, recipe, flags), rendererFor(flags.json));
    if (flags.junit) {
      const { runSuite, writeJunit } = await import("../output/junit.js");
      const failed = report.errors.length > 0 && report.outDir ? `${report.outDir}.failed` : undefined;
      await writeJunit(flags.junit, [runSuite(report, failed)]);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${summarize(report)}\n`);
    setExitCode(report.errors.length > 0 ? 1 : 0);
  });
  return cmd;
}
