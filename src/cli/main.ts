import { Command, CommanderError } from "commander";
import { errorMessage } from "../errors.js";
import { handleInterrupts } from "../interrupt/signals.js";
import { VERSION } from "../version.js";
import { buildCommand } from "./build.js";
import { doctorCommand } from "./doctor.js";
import { fetchCommand } from "./fetch.js";
import { modelCommand } from "./model.js";
import { packageCommand } from "./package.js";
import { refreshCommand } from "./refresh.js";
import { prepareCommand } from "./prepare.js";
import { runCommand } from "./run.js";
import { validateCommand } from "./validate.js";

/**
 * Runs the command line; returns the process exit code (0 ok, 1 failed, 2 usage). SIGINT and SIGTERM end
 * the process from their handler (130, 143) once children and temporary directories are gone.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const exit = (c: number) => {
    code = c;
  };
  const program = new Command("kbackport")
    .description("Backport Linux modem drivers (MHI, mhi_net, WWAN, BAM-DMUX) to older kernels")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const make of [
    fetchCommand,
    prepareCommand,
    buildCommand,
    runCommand,
    validateCommand,
    modelCommand,
    packageCommand,
    refreshCommand,
    doctorCommand,
  ]) {
    program.addCommand(make(exit).exitOverride());
  }
  const stopHandling = handleInterrupts();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version"
        ? 0
        : 2;
    }
    process.stderr.write(`error: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    stopHandling();
  }
  return code;
}
