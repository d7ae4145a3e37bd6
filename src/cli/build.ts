import { pipelineCommand } from "./pipeline-command.js";

export const buildCommand = (exit: (code: number) => void) =>
  pipelineCommand("build", "prepare, then build the modules with Kbuild against the target", exit);
